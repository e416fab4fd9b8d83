package dev.miosa.data.api.idempotency;

import dev.miosa.data.api.web.ProblemHandler;
import dev.miosa.data.credentials.TokenHashes;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code Idempotency-Key} handling for the POSTs that create things (after the IETF draft "The
 * Idempotency-Key HTTP Header Field"): the first request with a key runs and its answer is stored;
 * a later request with the same key and the same body gets the stored answer; the same key with
 * another body gets {@code 422}. Concurrent requests with one key wait for the first to finish.
 * Keys are scoped to the route.
 */
@Component
public class Idempotency {

  private static final int MAX_KEY_LENGTH = 255;
  private static final long WAIT_MILLIS = 15_000;

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final JsonMapper canonical;

  Idempotency(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
    this.canonical = json.rebuild().enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS).build();
  }

  /**
   * Runs a creating request at most once per key.
   *
   * @param key the {@code Idempotency-Key} header, or null to run without it
   * @param scope the route, e.g. {@code POST /v1/projects}
   * @param body the bound request body (hashed canonically), or null
   * @param action the request's work
   * @return the answer, first-hand or replayed
   */
  public ResponseEntity<?> run(
      String key, String scope, Object body, Supplier<ResponseEntity<?>> action) {
    if (key == null) {
      return action.get();
    }
    if (key.isBlank() || key.length() > MAX_KEY_LENGTH) {
      throw new MiosaException(
          ErrorCode.INVALID_REQUEST,
          "Idempotency-Key must have 1 to " + MAX_KEY_LENGTH + " characters",
          List.of(new FieldError("Idempotency-Key", "1 to " + MAX_KEY_LENGTH + " characters")));
    }
    String hash =
        TokenHashes.sha256Hex(canonical.writeValueAsString(body == null ? Map.of() : body));
    boolean mine =
        jdbc.sql(
                    """
                    INSERT INTO idempotency_keys (scope, key, request_hash) VALUES (:scope, :key, :hash)
                    ON CONFLICT (scope, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, created_at = now()
                      WHERE idempotency_keys.status IS NULL AND idempotency_keys.created_at < now() - interval '2 minutes'
                    """)
                .param("scope", scope)
                .param("key", key)
                .param("hash", hash)
                .update()
            == 1;
    if (!mine) {
      return replay(scope, key, hash);
    }
    ResponseEntity<?> answer;
    try {
      answer = action.get();
    } catch (MiosaException e) {
      HttpStatus status = ProblemHandler.status(e.code());
      if (status.is4xxClientError()) {
        ResponseEntity<?> problem =
            ResponseEntity.status(status)
                .body(ProblemHandler.body(e.code(), e.getMessage(), e.errors()));
        store(scope, key, problem);
      } else {
        forget(scope, key);
      }
      throw e;
    } catch (RuntimeException e) {
      forget(scope, key);
      throw e;
    }
    store(scope, key, answer);
    return answer;
  }

  private void store(String scope, String key, ResponseEntity<?> answer) {
    URI location = answer.getHeaders().getLocation();
    jdbc.sql(
            "UPDATE idempotency_keys SET status = :status, location = :location, body = :body WHERE scope = :scope AND key = :key")
        .param("status", answer.getStatusCode().value())
        .param("location", location == null ? null : location.toString())
        .param("body", answer.getBody() == null ? null : json.writeValueAsString(answer.getBody()))
        .param("scope", scope)
        .param("key", key)
        .update();
  }

  private void forget(String scope, String key) {
    jdbc.sql("DELETE FROM idempotency_keys WHERE scope = :scope AND key = :key AND status IS NULL")
        .param("scope", scope)
        .param("key", key)
        .update();
  }

  private record Stored(String requestHash, Integer status, String location, String body) {}

  private ResponseEntity<?> replay(String scope, String key, String hash) {
    long deadline = System.currentTimeMillis() + WAIT_MILLIS;
    while (true) {
      Optional<Stored> stored =
          jdbc.sql(
                  "SELECT request_hash, status, location, body FROM idempotency_keys WHERE scope = :scope AND key = :key")
              .param("scope", scope)
              .param("key", key)
              .query(
                  (rs, n) ->
                      new Stored(
                          rs.getString(1),
                          (Integer) rs.getObject(2),
                          rs.getString(3),
                          rs.getString(4)))
              .optional();
      if (stored.isEmpty()) {
        throw new MiosaException(
            ErrorCode.IDEMPOTENCY_KEY_IN_FLIGHT,
            "the first request with this Idempotency-Key failed; retry");
      }
      Stored s = stored.get();
      if (!s.requestHash().equals(hash)) {
        throw new MiosaException(
            ErrorCode.IDEMPOTENCY_KEY_REUSED,
            "this Idempotency-Key was used with a different request body",
            List.of(new FieldError("Idempotency-Key", "already used with another body")));
      }
      if (s.status() != null) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(
            s.status() >= 400 ? MediaType.APPLICATION_PROBLEM_JSON : MediaType.APPLICATION_JSON);
        if (s.location() != null) {
          headers.setLocation(URI.create(s.location()));
        }
        headers.set("Idempotent-Replayed", "true");
        JsonNode body = s.body() == null ? null : json.readTree(s.body());
        return new ResponseEntity<>(body, headers, HttpStatusCode.valueOf(s.status()));
      }
      if (System.currentTimeMillis() > deadline) {
        throw new MiosaException(
            ErrorCode.IDEMPOTENCY_KEY_IN_FLIGHT,
            "a request with this Idempotency-Key is still running; retry later");
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new MiosaException(ErrorCode.UNAVAILABLE, "interrupted");
      }
    }
  }
}
