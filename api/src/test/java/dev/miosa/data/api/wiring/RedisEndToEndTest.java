package dev.miosa.data.api.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.LocalRedis;
import dev.miosa.data.local.TestServers;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Managed Redis through real HTTP, with the embedded default's own redis-server (the control-plane
 * store and tenant Postgres come from the shared test cluster, to spare two initdb runs).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RedisEndToEndTest {

  static final String ADMIN_TOKEN = "test-admin-token-0123456789";
  static final HttpClient http = HttpClient.newHttpClient();
  static final JsonMapper json = JsonMapper.builder().build();
  static Path dataDir;
  static RedisClient lettuce = RedisClient.create();

  @LocalServerPort int port;

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) throws Exception {
    LocalPostgres pg = TestServers.postgres();
    pg.createDatabaseIfAbsent("miosa_redis_e2e");
    dataDir = Files.createTempDirectory("miosa-redis-e2e");
    String pgUrl = "postgresql://postgres:" + pg.superuserPassword().reveal() + "@" + pg.host() + ":" + pg.port();
    registry.add("miosa.data-dir", dataDir::toString);
    registry.add("miosa.database-url", () -> pgUrl + "/miosa_redis_e2e?sslmode=disable");
    registry.add("miosa.master-key", SecretCipher::generateKeyBase64);
    registry.add("miosa.admin-token", () -> ADMIN_TOKEN);
    registry.add("miosa.postgres.url", () -> pgUrl + "/postgres?sslmode=disable");
    registry.add("miosa.redis.reconcile-interval", () -> "200ms");
  }

  @AfterAll
  static void cleanUp() throws Exception {
    lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(1));
    // The context outlives this class in the test cache: stop its Redis here, then drop the files.
    if (Files.exists(dataDir.resolve("redis/redis.pid"))) {
      LocalRedis.start(dataDir.resolve("redis"), Map.of()).stop();
    }
    TestServers.deleteQuietly(dataDir);
  }

  JsonNode call(String method, String path, String body, int expectedStatus) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + ADMIN_TOKEN)
            .header("Content-Type", "application/json")
            .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("%s %s: %s", method, path, r.body()).isEqualTo(expectedStatus);
    return r.body().isEmpty() ? null : json.readTree(r.body());
  }

  void awaitSucceeded(String operationId) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode op = null;
    while (System.nanoTime() < deadline) {
      op = call("GET", "/v1/operations/" + operationId, null, 200);
      if (!op.get("state").asString().equals("pending") && !op.get("state").asString().equals("running")) {
        break;
      }
      Thread.sleep(100);
    }
    assertThat(op.get("state").asString()).as("operation %s", op).isEqualTo("succeeded");
  }

  Map<String, String> variables(String project, String env) throws Exception {
    JsonNode vars = call("GET", "/v1/projects/" + project + "/environments/" + env + "/variables", null, 200);
    return Map.of("REDIS_URL", vars.get("REDIS_URL").asString(), "REDIS_KEY_PREFIX", vars.get("REDIS_KEY_PREFIX").asString());
  }

  StatefulRedisConnection<String, String> connect(Map<String, String> vars) {
    return lettuce.connect(RedisURI.create(vars.get("REDIS_URL")));
  }

  @Test
  void attachUseSurviveARedisRestartAndDeleteThroughTheApi() throws Exception {
    String slug = "redis-e2e-" + Long.toString(System.nanoTime() % 1_000_000, 36);
    call("POST", "/v1/projects", "{\"slug\":\"" + slug + "\",\"name\":\"Redis E2E\"}", 201);
    JsonNode attached = call("POST", "/v1/projects/" + slug + "/services", "{\"type\":\"redis\"}", 202);
    awaitSucceeded(attached.get("operationId").asString());

    Map<String, String> prod = variables(slug, "production");
    Map<String, String> staging = variables(slug, "staging");
    assertThat(prod.get("REDIS_URL")).startsWith("redis://t-").endsWith("/0");
    assertThat(prod.get("REDIS_KEY_PREFIX")).isNotEqualTo(staging.get("REDIS_KEY_PREFIX"));
    try (var c = connect(prod)) {
      assertThat(c.sync().set(prod.get("REDIS_KEY_PREFIX") + "cart:1", "3 items")).isEqualTo("OK");
      assertThatThrownBy(() -> c.sync().get(staging.get("REDIS_KEY_PREFIX") + "cart:1"))
          .isInstanceOf(RedisCommandExecutionException.class)
          .hasMessageStartingWith("NOPERM");
    }

    // Redis restarts: ACL users are gone from its memory, the control plane puts them back.
    LocalRedis embedded = LocalRedis.start(dataDir.resolve("redis"), Map.of()); // attaches to the running one
    embedded.restart();
    StatefulRedisConnection<String, String> again = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (again == null && System.nanoTime() < deadline) {
      try {
        again = connect(prod);
      } catch (RuntimeException e) {
        Thread.sleep(50);
      }
    }
    assertThat(again).as("the same REDIS_URL works again").isNotNull();
    try (var c = again) {
      assertThat(c.sync().get(prod.get("REDIS_KEY_PREFIX") + "cart:1")).as("kept by the append-only file").isEqualTo("3 items");
    }

    JsonNode deleted = call("DELETE", "/v1/projects/" + slug + "/services/redis:main?confirm=main", null, 202);
    awaitSucceeded(deleted.get("operationId").asString());
    assertThatThrownBy(() -> connect(prod).close()).hasStackTraceContaining("WRONGPASS");
    try (var admin =
        lettuce.connect(
            RedisURI.builder()
                .withHost(embedded.host())
                .withPort(embedded.port())
                .withAuthentication(embedded.adminUser(), embedded.adminPassword().reveal().toCharArray())
                .build())) {
      assertThat(admin.sync().keys(prod.get("REDIS_KEY_PREFIX") + "*")).isEmpty();
    }
  }
}
