package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.miosa.data.local.LocalRedis;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Rotating a Redis data service's credentials through the api: during the grace the old and the new
 * password both log in and see the same keys; after it the old one is refused and the connections
 * that used it are closed.
 */
class RedisRotationIT extends ApiTestBase {

  static final RedisClient lettuce = RedisClient.create();

  static {
    // A closed connection must stay closed, so that the test sees the server close it.
    lettuce.setOptions(ClientOptions.builder().autoReconnect(false).build());
  }

  @AfterAll
  static void closeClient() {
    lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(1));
  }

  @Test
  void rotateKeepsOldPasswordUntilGraceEndsThenClosesItsSessions() throws Exception {
    String slug = createProject("rot-redis");
    assertThat(attachAndWait(slug, "{\"type\":\"redis\"}").path("state").asString())
        .isEqualTo("succeeded");
    String token = mintRuntimeToken(slug, "production");
    JsonNode before = admin().as(token).get("/v1/runtime/env").json();
    String oldUrl = before.path("REDIS_URL").asString();
    String prefix = before.path("REDIS_KEY_PREFIX").asString();
    StatefulRedisConnection<String, String> oldSession = lettuce.connect(RedisURI.create(oldUrl));
    oldSession.sync().set(prefix + "cart:1", "3 items");

    JsonNode op = Rotations.rotateAndWait(admin(), slug, "redis:main", "production", 20);
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");

    JsonNode after = admin().as(token).get("/v1/runtime/env").json();
    String newUrl = after.path("REDIS_URL").asString();
    assertThat(newUrl).as("the env fetch serves the new password").isNotEqualTo(oldUrl);
    assertThat(after.path("REDIS_KEY_PREFIX").asString()).isEqualTo(prefix);
    assertThat(
            admin()
                .get("/v1/projects/" + slug + "/environments/production/variables")
                .json()
                .path("REDIS_URL")
                .asString())
        .isEqualTo(newUrl);
    try (var newSession = lettuce.connect(RedisURI.create(newUrl))) {
      assertThat(newSession.sync().get(prefix + "cart:1")).isEqualTo("3 items");
      newSession.sync().set(prefix + "cart:2", "1 item");
    }
    assertThat(LocalRedis.authReply(oldUrl)).as("old password, during the grace").startsWith("+OK");
    assertThat(oldSession.sync().get(prefix + "cart:2")).isEqualTo("1 item");

    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> LocalRedis.authReply(oldUrl).startsWith("-WRONGPASS"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !oldSession.isOpen());
    assertThat(LocalRedis.authReply(newUrl)).as("the new password still works").startsWith("+OK");
    try (var newSession = lettuce.connect(RedisURI.create(newUrl))) {
      assertThat(newSession.sync().get(prefix + "cart:1")).isEqualTo("3 items");
    }
  }
}
