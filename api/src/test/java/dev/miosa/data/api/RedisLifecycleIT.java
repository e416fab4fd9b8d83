package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.miosa.data.api.config.EmbeddedServers;
import dev.miosa.data.api.config.MiosaProperties;
import dev.miosa.data.local.LocalRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * A project attaches Redis (the embedded default's own redis-server), a runtime instance fetches
 * REDIS_URL and connects; Redis restarts and the same URL works again; then the service is deleted.
 */
class RedisLifecycleIT extends ApiTestBase {

  static final RedisClient lettuce = RedisClient.create();

  @Autowired MiosaProperties props;
  @Autowired EmbeddedServers embeddedServers;

  @AfterAll
  static void closeClient() {
    lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(1));
  }

  StatefulRedisConnection<String, String> connect(JsonNode vars) {
    return lettuce.connect(RedisURI.create(vars.path("REDIS_URL").asString()));
  }

  @Test
  void attachUseSurviveARedisRestartAndDeleteThroughTheApi() throws Exception {
    String slug = createProject("redis");
    JsonNode op = attachAndWait(slug, "{\"type\":\"redis\"}");
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    JsonNode service = admin().get("/v1/projects/" + slug + "/services/redis:main").json();
    assertThat(service.path("environments").path("production").path("variables").toString())
        .contains("REDIS_URL", "REDIS_KEY_PREFIX")
        .doesNotContain("redis://");

    String token =
        admin()
            .post(
                "/v1/projects/" + slug + "/environments/production/runtime-tokens",
                "{\"ttlSeconds\":600}")
            .json()
            .path("token")
            .asString();
    JsonNode prod = admin().as(token).get("/v1/runtime/env").json();
    JsonNode staging =
        admin().get("/v1/projects/" + slug + "/environments/staging/variables").json();
    String prefix = prod.path("REDIS_KEY_PREFIX").asString();
    assertThat(prod.path("REDIS_URL").asString()).startsWith("redis://t-").endsWith("/0");
    assertThat(prefix).isNotEqualTo(staging.path("REDIS_KEY_PREFIX").asString());
    try (var c = connect(prod)) {
      assertThat(c.sync().set(prefix + "cart:1", "3 items")).isEqualTo("OK");
      assertThatThrownBy(() -> c.sync().get(staging.path("REDIS_KEY_PREFIX").asString() + "cart:1"))
          .isInstanceOf(RedisCommandExecutionException.class)
          .hasMessageStartingWith("NOPERM");
    }

    // Redis restarts: its ACL users are gone from memory; the control plane applies them again.
    LocalRedis embedded =
        LocalRedis.start(props.dataDir().resolve("redis"), Map.of()); // attaches to the running one
    embedded.restart();
    embeddedServers.register(
        embedded); // this handle knows the new process: stopped with the context
    // WRONGPASS until the reconciler has seen the new run id; then the same REDIS_URL works again.
    StatefulRedisConnection<String, String> again =
        await()
            .atMost(Duration.ofSeconds(30))
            .pollInterval(Duration.ofMillis(50))
            .ignoreExceptions()
            .until(() -> connect(prod), java.util.Objects::nonNull);
    try (var c = again) {
      assertThat(c.sync().get(prefix + "cart:1"))
          .as("kept by the append-only file")
          .isEqualTo("3 items");
    }

    JsonNode deleteOp = deleteAndPurge(slug, "redis:main", "main");
    assertThat(deleteOp.path("state").asString()).as(deleteOp.toString()).isEqualTo("succeeded");
    assertThat(LocalRedis.authReply(prod.path("REDIS_URL").asString()))
        .as("the user is gone")
        .startsWith("-WRONGPASS");
    try (var admin =
        lettuce.connect(
            RedisURI.builder()
                .withHost(embedded.host())
                .withPort(embedded.port())
                .withAuthentication(
                    embedded.adminUser(), embedded.adminPassword().reveal().toCharArray())
                .build())) {
      assertThat(admin.sync().keys(prefix + "*")).isEmpty();
    }
  }
}
