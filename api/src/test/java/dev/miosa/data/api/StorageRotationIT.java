package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Rotating a storage data service's STORAGE_KEY through the api: during the grace both keys sign
 * URLs that work on the same bucket; after it the old key is refused.
 */
class StorageRotationIT extends ApiTestBase {

  static Http.Res sign(JsonNode vars, String storageKey, String body) {
    return new Http(vars.path("STORAGE_URL").asString(), storageKey).post("/signed-urls", body);
  }

  @Test
  void rotateKeepsOldStorageKeyUntilGraceEnds() throws Exception {
    String slug = createProject("rot-store");
    assertThat(attachAndWait(slug, "{\"type\":\"storage\"}").path("state").asString())
        .isEqualTo("succeeded");
    String token = mintRuntimeToken(slug, "production");
    JsonNode before = admin().as(token).get("/v1/runtime/env").json();
    String oldKey = before.path("STORAGE_KEY").asString();
    byte[] text = "signed with the old key".getBytes(StandardCharsets.UTF_8);
    var put =
        sign(
            before,
            oldKey,
            "{\"key\":\"notes/a.txt\",\"method\":\"PUT\",\"contentType\":\"text/plain\",\"contentLength\":"
                + text.length
                + "}");
    assertThat(put.status()).as(put.body()).isEqualTo(201);
    assertThat(
            StorageLifecycleIT.browser(
                    "PUT",
                    put.json().path("url").asString(),
                    text,
                    Map.of("Content-Type", "text/plain"))
                .statusCode())
        .isEqualTo(200);

    JsonNode op = Rotations.rotateAndWait(admin(), slug, "storage:main", "production", 20);
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    JsonNode after = admin().as(token).get("/v1/runtime/env").json();
    String newKey = after.path("STORAGE_KEY").asString();
    assertThat(newKey).as("the env fetch serves the new key").isNotEqualTo(oldKey);
    assertThat(after.path("STORAGE_BUCKET").asString())
        .isEqualTo(before.path("STORAGE_BUCKET").asString());

    for (String key : new String[] {oldKey, newKey}) {
      var get = sign(after, key, "{\"key\":\"notes/a.txt\",\"method\":\"GET\"}");
      assertThat(get.status()).as(get.body()).isEqualTo(201);
      var download =
          StorageLifecycleIT.browser("GET", get.json().path("url").asString(), null, Map.of());
      assertThat(download.statusCode()).isEqualTo(200);
      assertThat(download.body()).isEqualTo(text);
    }

    await()
        .atMost(Duration.ofSeconds(90))
        .until(
            () ->
                sign(after, oldKey, "{\"key\":\"notes/a.txt\",\"method\":\"GET\"}").status()
                    == 401);
    assertThat(sign(after, newKey, "{\"key\":\"notes/a.txt\",\"method\":\"GET\"}").status())
        .isEqualTo(201);
  }
}
