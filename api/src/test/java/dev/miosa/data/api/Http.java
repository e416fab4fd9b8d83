package dev.miosa.data.api;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.awaitility.core.ConditionTimeoutException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A tiny HTTP client for end-to-end tests: real requests to a running server. */
final class Http {

  static final JsonMapper JSON = JsonMapper.builder().build();
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A response: status, headers' first values, body text and the body as JSON (or null). */
  record Res(int status, Map<String, java.util.List<String>> headers, String body) {
    JsonNode json() {
      return body == null || body.isBlank() ? null : JSON.readTree(body);
    }

    String header(String name) {
      return headers.entrySet().stream()
          .filter(e -> e.getKey().equalsIgnoreCase(name))
          .map(e -> e.getValue().get(0))
          .findFirst()
          .orElse(null);
    }
  }

  private final String base;
  private final String token;

  Http(String base, String token) {
    this.base = base;
    this.token = token;
  }

  Http as(String otherToken) {
    return new Http(base, otherToken);
  }

  Res get(String path) {
    return send("GET", path, null, Map.of());
  }

  Res get(String path, Map<String, String> headers) {
    return send("GET", path, null, headers);
  }

  Res post(String path, String json) {
    return send("POST", path, json, Map.of());
  }

  Res post(String path, String json, Map<String, String> headers) {
    return send("POST", path, json, headers);
  }

  Res delete(String path) {
    return send("DELETE", path, null, Map.of());
  }

  /** Sends a body of any media type. */
  Res sendRaw(String method, String path, String contentType, String body) {
    return sendBytes(
        method, path, contentType, body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Sends a body of any media type as the given bytes (which need not be valid UTF-8). */
  Res sendBytes(String method, String path, String contentType, byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    b.header("Content-Type", contentType);
    b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Res(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  Res send(String method, String path, String json, Map<String, String> headers) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    headers.forEach(b::header);
    if (json != null) {
      b.header("Content-Type", "application/json");
      b.method(method, HttpRequest.BodyPublishers.ofString(json));
    } else {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
      return new Res(r.statusCode(), r.headers().map(), r.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Polls an operation until it is finished; returns its final JSON. */
  JsonNode awaitOperation(String id, Duration timeout) {
    try {
      return await()
          .atMost(timeout)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> get("/v1/operations/" + id).json(),
              op -> Set.of("succeeded", "failed").contains(op.path("state").asString()));
    } catch (ConditionTimeoutException e) {
      // Still running: the caller's assertion on the state says where it stopped.
      return get("/v1/operations/" + id).json();
    }
  }
}
