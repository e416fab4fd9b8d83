package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.api.config.MiosaProperties;
import dev.miosa.data.local.LocalRedis;
import dev.miosa.data.local.TestServers;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/**
 * Soft delete of the other four types through the HTTP API, each used the way its tenant uses it:
 * Redis over its own connection, storage through signed URLs, auth through its realm, a volume
 * through attachments. Deleted refuses the tenant and keeps the data; undelete gives both back;
 * purge removes the thing from its backend.
 */
class SoftDeleteTypesIT extends ApiTestBase {

  static final RedisClient lettuce = RedisClient.create();

  static {
    lettuce.setOptions(ClientOptions.builder().autoReconnect(false).build());
  }

  @Autowired MiosaProperties props;

  @AfterAll
  static void closeClient() {
    lettuce.shutdown(Duration.ZERO, Duration.ofSeconds(1));
  }

  JsonNode variables(String slug) {
    return admin().get("/v1/projects/" + slug + "/environments/production/variables").json();
  }

  void undeleteAndWait(String slug, String id) {
    var res = admin().post("/v1/projects/" + slug + "/services/" + id + "/undelete", null);
    assertThat(res.status()).as(res.body()).isEqualTo(202);
    JsonNode op =
        admin().awaitOperation(res.json().path("operationId").asString(), Duration.ofSeconds(60));
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
  }

  @Test
  void redisDeleteKillsConnectionsAndRefusesAuthKeepingTheKeys() throws Exception {
    String slug = createProject("sd-redis");
    attachAndWait(slug, "{\"type\":\"redis\"}");
    JsonNode vars = variables(slug);
    String url = vars.path("REDIS_URL").asString();
    String key = vars.path("REDIS_KEY_PREFIX").asString() + "cart";
    try (var held = lettuce.connect(RedisURI.create(url))) {
      held.sync().set(key, "3 items");
      String id = deleteAndWait(slug, "redis:main", "main").path("id").asString();
      assertThatThrownBy(() -> held.sync().get(key))
          .as("the connection open at the delete was killed")
          .isInstanceOf(RedisException.class);
      assertThat(LocalRedis.authReply(url)).as("AUTH refused").startsWith("-WRONGPASS");

      undeleteAndWait(slug, id);
      assertThat(variables(slug)).isEqualTo(vars);
      try (var again = lettuce.connect(RedisURI.create(url))) {
        assertThat(again.sync().get(key)).as("the key kept").isEqualTo("3 items");
      }

      purgeAndWait(slug, deleteAndWait(slug, id, "main").path("id").asString(), "main");
    }
    LocalRedis redis = LocalRedis.start(props.dataDir().resolve("redis"), Map.of());
    try (var admin =
        lettuce.connect(
            RedisURI.builder()
                .withHost(redis.host())
                .withPort(redis.port())
                .withAuthentication(redis.adminUser(), redis.adminPassword().reveal().toCharArray())
                .build())) {
      String user = java.net.URI.create(url).getUserInfo().split(":", 2)[0];
      assertThat(admin.sync().aclUsers()).as("ACL user gone").doesNotContain(user);
      assertThat(admin.sync().keys(key)).as("keys gone").isEmpty();
    }
  }

  @Test
  void storageDeleteRefusesSigningAndKeepsTheObjects() throws Exception {
    String slug = createProject("sd-store");
    attachAndWait(slug, "{\"type\":\"storage\"}");
    JsonNode vars = variables(slug);
    String bucket = vars.path("STORAGE_BUCKET").asString();
    var put =
        StorageLifecycleIT.sign(
            vars,
            "{\"key\":\"a.txt\",\"method\":\"PUT\",\"contentType\":\"text/plain\",\"contentLength\":4}");
    assertThat(put.status()).as(put.body()).isEqualTo(201);
    assertThat(
            StorageLifecycleIT.browser(
                    "PUT",
                    put.json().path("url").asString(),
                    "kept".getBytes(),
                    Map.of("Content-Type", "text/plain"))
                .statusCode())
        .isEqualTo(200);
    Path bucketDir = TestServers.s3proxy().objectsDir().resolve(bucket);

    String id = deleteAndWait(slug, "storage:main", "main").path("id").asString();
    assertThat(StorageLifecycleIT.sign(vars, "{\"key\":\"a.txt\",\"method\":\"GET\"}").status())
        .as("signing refused")
        .isEqualTo(401);
    assertThat(Files.exists(bucketDir)).as("bucket kept").isTrue();

    undeleteAndWait(slug, id);
    var get = StorageLifecycleIT.sign(vars, "{\"key\":\"a.txt\",\"method\":\"GET\"}");
    assertThat(get.status()).as("the same key signs again").isEqualTo(201);
    assertThat(
            new String(
                StorageLifecycleIT.browser("GET", get.json().path("url").asString(), null, Map.of())
                    .body()))
        .isEqualTo("kept");

    purgeAndWait(slug, deleteAndWait(slug, id, "main").path("id").asString(), "main");
    assertThat(Files.exists(bucketDir)).as("bucket gone").isFalse();
  }

  @Test
  void authDeleteAnswers404AndKeepsTheUsers() throws Exception {
    String slug = createProject("sd-auth");
    attachAndWait(slug, "{\"type\":\"auth\"}");
    JsonNode vars = variables(slug);
    Http realm =
        new Http(
            vars.path("AUTH_URL")
                .asString()
                .replaceFirst("^http://localhost:0", "http://127.0.0.1:" + port),
            null);
    String login = "{\"email\":\"kept@example.com\",\"password\":\"correct-horse-battery-9\"}";
    assertThat(realm.post("/signup", login).status()).isEqualTo(200);

    String id = deleteAndWait(slug, "auth:main", "main").path("id").asString();
    assertThat(realm.get("/settings").status()).isEqualTo(404);
    assertThat(realm.post("/token?grant_type=password", login).status()).isEqualTo(404);
    assertThat(AuthRealmEndToEndIT.users(vars)).as("users kept").isEqualTo(1);

    undeleteAndWait(slug, id);
    assertThat(realm.get("/settings").status()).isEqualTo(200);
    assertThat(realm.post("/token?grant_type=password", login).status())
        .as("the same user logs in")
        .isEqualTo(200);

    purgeAndWait(slug, deleteAndWait(slug, id, "main").path("id").asString(), "main");
    assertThat(AuthRealmEndToEndIT.users(vars)).as("users gone").isZero();
  }

  @Test
  void volumeDeleteRefusesAttachAndKeepsTheImage() throws Exception {
    String slug = createProject("sd-vol");
    attachAndWait(slug, "{\"type\":\"volume\",\"config\":{\"sizeGiB\":1}}");
    String base = "/v1/projects/" + slug + "/services/volume:main";
    String attachBody = "{\"environment\":\"production\",\"instanceId\":\"vm-1\"}";
    var attached = admin().post(base + "/attachments", attachBody);
    assertThat(attached.status()).as(attached.body()).isEqualTo(201);
    Path image = Path.of(attached.json().path("imagePath").asString());
    assertThat(admin().delete(base + "/attachments/vm-1").status()).isEqualTo(204);

    String id = deleteAndWait(slug, "volume:main", "main").path("id").asString();
    String byId = "/v1/projects/" + slug + "/services/" + id;
    assertThat(admin().post(base + "/attachments", attachBody).status()).isEqualTo(404);
    assertThat(admin().post(byId + "/attachments", attachBody).status()).isEqualTo(404);
    assertThat(Files.exists(image)).as("image kept").isTrue();

    undeleteAndWait(slug, id);
    var again = admin().post(base + "/attachments", attachBody);
    assertThat(again.status()).as(again.body()).isEqualTo(201);
    assertThat(again.json().path("imagePath").asString()).isEqualTo(image.toString());
    assertThat(admin().delete(base + "/attachments/vm-1").status()).isEqualTo(204);

    purgeAndWait(slug, deleteAndWait(slug, id, "main").path("id").asString(), "main");
    assertThat(Files.exists(image)).as("image gone").isFalse();
  }
}
