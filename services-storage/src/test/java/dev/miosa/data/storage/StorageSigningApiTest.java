package dev.miosa.data.storage;

import static dev.miosa.data.storage.StorageFixture.provision;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.storage.web.StorageSigningController;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Bean;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The signing API through real HTTP: {@code POST {STORAGE_URL}/signed-urls} and {@code
 * /objects/finalize} with the environment's {@code STORAGE_KEY} as bearer token. Refusals are
 * rendered by the api's one error handler, so their problem details are asserted in the api's
 * {@code StorageLifecycleIT}; here only that they are refused.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    classes = StorageSigningApiTest.App.class,
    properties = "spring.main.banner-mode=off")
class StorageSigningApiTest {

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    StorageSigningController storageSigningController() {
      return new StorageSigningController(StorageFixture.SIGNING);
    }
  }

  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final JsonMapper JSON = JsonMapper.builder().build();
  static StorageFixture.Env a;
  static StorageFixture.Env b;

  @LocalServerPort int port;
  @TempDir Path dir;

  @BeforeAll
  static void environments() {
    a = provision("prj_a", Map.of());
    b = provision("prj_b", Map.of());
  }

  /** STORAGE_URL as the variables give it, moved onto this test server. */
  String storageUrl(StorageFixture.Env env) {
    return env.variables()
        .get("STORAGE_URL")
        .replace("http://api.test:8080", "http://127.0.0.1:" + port);
  }

  record Reply(int status, JsonNode json, HttpResponse<String> raw) {}

  Reply post(String url, String authorization, Object body) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(url))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    HttpResponse<String> response =
        HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(response.statusCode(), JSON.readTree(response.body()), response);
  }

  Reply sign(StorageFixture.Env env, String key, Object body) throws Exception {
    return post(storageUrl(env) + "/signed-urls", "Bearer " + key, body);
  }

  @Test
  void signingAnswers201WithAUrlABrowserCanUseDirectly() throws Exception {
    var reply =
        sign(
            a,
            a.key(),
            Map.of(
                "key",
                "avatars/u1.png",
                "method",
                "PUT",
                "expiresInSeconds",
                900,
                "contentType",
                "image/png",
                "contentLength",
                4));
    assertThat(reply.status()).isEqualTo(201);
    assertThat(reply.json().get("method").asString()).isEqualTo("PUT");
    assertThat(reply.json().get("headers").get("Content-Type").asString()).isEqualTo("image/png");
    assertThat(reply.json().get("key").asString()).isEqualTo("avatars/u1.png");
    Instant expiresAt = Instant.parse(reply.json().get("expiresAt").asString());
    assertThat(expiresAt).isBetween(Instant.now().plusSeconds(890), Instant.now().plusSeconds(901));
    String url = reply.json().get("url").asString();
    assertThat(URI.create(url).getPath()).isEqualTo("/" + a.bucket() + "/avatars/u1.png");

    Path png = Files.write(dir.resolve("u1.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    assertThat(Curl.put(url, png, "Content-Type: image/png").status()).isEqualTo(200);
    var get = sign(a, a.key(), Map.of("key", "avatars/u1.png", "method", "GET"));
    assertThat(Curl.get(get.json().get("url").asString()).body())
        .isEqualTo(Files.readAllBytes(png));
  }

  @Test
  void projectAsKeyCannotSignForBsBucket() throws Exception {
    assertThat(
            catchThrowableOfType(
                MiosaException.class,
                () -> StorageFixture.SIGNING.authenticate(b.resource().resourceId(), a.key())))
        .as("A's key on B's URL")
        .extracting(MiosaException::code)
        .isEqualTo(ErrorCode.UNAUTHORIZED);
    var own = sign(a, a.key(), Map.of("key", "k", "method", "GET"));
    assertThat(own.status()).isEqualTo(201);
    assertThat(own.json().get("url").asString())
        .contains("/" + a.bucket() + "/")
        .doesNotContain(b.bucket());
  }

  @Test
  void contentAddressedUploadsAreFinalizedOverHttp() throws Exception {
    var env = provision("prj_a", Map.of());
    byte[] body = "finalize me".getBytes(StandardCharsets.UTF_8);
    String hash = ContentAddressingIT.sha256(body);
    var signed =
        sign(
            env,
            env.key(),
            Map.of("method", "PUT", "contentSha256", hash, "contentLength", body.length));
    assertThat(signed.status()).isEqualTo(201);
    assertThat(signed.json().get("exists").asBoolean()).isFalse();
    assertThat(signed.json().get("key").asString()).isEqualTo("sha256/" + hash);
    String uploadKey = signed.json().get("uploadKey").asString();
    assertThat(
            Curl.put(signed.json().get("url").asString(), Files.write(dir.resolve("f"), body))
                .status())
        .isEqualTo(200);

    var done =
        post(
            storageUrl(env) + "/objects/finalize",
            "Bearer " + env.key(),
            Map.of("uploadKey", uploadKey));
    assertThat(done.status()).isEqualTo(200);
    assertThat(done.json().get("key").asString()).isEqualTo("sha256/" + hash);
    assertThat(done.json().get("size").asLong()).isEqualTo(body.length);
    assertThat(done.json().get("deduplicated").asBoolean()).isFalse();

    var again =
        sign(
            env,
            env.key(),
            Map.of("method", "PUT", "contentSha256", hash, "contentLength", body.length));
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json().get("exists").asBoolean()).isTrue();
    assertThat(again.json().has("url")).isFalse();
  }
}
