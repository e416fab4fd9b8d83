package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.provisioner.rotation.CredentialRotations;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * The rotation endpoint's refusals (each a problem naming the field, changing nothing), who may
 * call it, idempotency, and the runtime-token list.
 */
class CredentialRotationApiIT extends ApiTestBase {

  @Autowired JdbcClient jdbc;
  @Autowired CredentialRotations rotations;

  String rotatePath(String slug, String service) {
    return "/v1/projects/" + slug + "/services/" + service + "/credentials/rotate";
  }

  long rotations() {
    return jdbc.sql("SELECT count(*) FROM credential_rotations").query(Long.class).single();
  }

  @Test
  void badRotationRequestsAreProblemsNamingTheFieldAndChangeNothing() {
    String slug = createProject("rot-bad");
    String other = createProject("rot-other");
    attachAndWait(slug, "{\"type\":\"redis\"}");
    attachAndWait(other, "{\"type\":\"redis\"}");
    String otherId =
        admin().get("/v1/projects/" + other + "/services/redis:main").json().path("id").asString();
    long before = rotations();
    String path = rotatePath(slug, "redis:main");

    Map<String, String> badBodies =
        Map.of(
            "{\"environment\":\"production\",\"graceSeconds\":-1}", "graceSeconds",
            "{\"environment\":\"production\",\"graceSeconds\":604801}", "graceSeconds",
            "{\"graceSeconds\":60}", "environment",
            "{\"environment\":\"nowhere\",\"graceSeconds\":60}", "environment");
    badBodies.forEach(
        (body, field) -> {
          var res = admin().post(path, body);
          assertThat(res.status()).as(body).isBetween(400, 499);
          assertThat(res.header("Content-Type")).startsWith("application/problem+json");
          assertThat(res.json().path("errors").toString()).as(body).contains("\"" + field + "\"");
        });
    var foreign = admin().post(rotatePath(slug, otherId), "{\"environment\":\"production\"}");
    assertThat(foreign.status()).as("another project's data service").isEqualTo(404);
    assertThat(foreign.json().path("code").asString()).isEqualTo("SERVICE_NOT_FOUND");
    assertThat(rotations()).as("nothing recorded").isEqualTo(before);
  }

  @Test
  void volumesHaveNoCredentialsToRotate() {
    String slug = createProject("rot-vol");
    attachAndWait(slug, "{\"type\":\"volume\",\"config\":{\"sizeGiB\":1}}");
    var res = admin().post(rotatePath(slug, "volume:main"), "{\"environment\":\"production\"}");
    assertThat(res.status()).isEqualTo(409);
    assertThat(res.json().path("code").asString()).isEqualTo("ROTATION_NOT_SUPPORTED");
  }

  @Test
  void aRuntimeTokenCannotRotateNorListTokens() {
    String slug = createProject("rot-rt");
    attachAndWait(slug, "{\"type\":\"redis\"}");
    String token = mintRuntimeToken(slug, "production");
    var res =
        admin().as(token).post(rotatePath(slug, "redis:main"), "{\"environment\":\"production\"}");
    assertThat(res.status()).isEqualTo(403);
    assertThat(
            admin()
                .as(token)
                .get("/v1/projects/" + slug + "/environments/production/runtime-tokens")
                .status())
        .isEqualTo(403);
  }

  @Test
  void aRepeatedIdempotencyKeyReplaysTheFirstRotation() {
    String slug = createProject("rot-idem");
    attachAndWait(slug, "{\"type\":\"redis\"}");
    Map<String, String> key = Map.of("Idempotency-Key", "rotate-1");
    String body = "{\"environment\":\"staging\",\"graceSeconds\":0}";
    var first = admin().post(rotatePath(slug, "redis:main"), body, key);
    var second = admin().post(rotatePath(slug, "redis:main"), body, key);
    assertThat(first.status()).isEqualTo(202);
    assertThat(first.json().path("type").asString()).isEqualTo("rotate");
    assertThat(first.header("Location"))
        .isEqualTo("/v1/operations/" + first.json().path("id").asString());
    assertThat(second.status()).isEqualTo(202);
    assertThat(second.json().path("id").asString()).isEqualTo(first.json().path("id").asString());
    JsonNode op =
        admin()
            .awaitOperation(first.json().path("id").asString(), java.time.Duration.ofSeconds(60));
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    assertThat(
            jdbc.sql("SELECT state FROM credential_rotations WHERE rotate_operation_id = :op")
                .param("op", op.path("id").asString())
                .query(String.class)
                .single())
        .as("grace 0: revoked as soon as the new credential is ready")
        .isEqualTo("revoked");
  }

  @Test
  void aDueRevokeIsEnqueuedOnceHoweverManyReplicasSweep() throws Exception {
    String slug = createProject("rot-sweep");
    attachAndWait(slug, "{\"type\":\"redis\"}");
    JsonNode op = Rotations.rotateAndWait(admin(), slug, "redis:main", "production", 600);
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    String rotation =
        jdbc.sql("SELECT id FROM credential_rotations WHERE rotate_operation_id = :op")
            .param("op", op.path("id").asString())
            .query(String.class)
            .single();
    assertThat(admin().get("/actuator/prometheus").body())
        .as("the rotation waits for its revoke")
        .containsPattern("miosa_rotations_pending_revoke [1-9]");
    // The grace ends now; this replica's own sweeper and four more "replicas" race for it.
    jdbc.sql("UPDATE credential_rotations SET grace_ends_at = now() WHERE id = :id")
        .param("id", rotation)
        .update();
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      java.util.List<java.util.concurrent.Callable<Integer>> sweeps =
          java.util.Collections.nCopies(4, rotations::sweep);
      for (var done : pool.invokeAll(sweeps)) {
        done.get();
      }
    } finally {
      pool.shutdownNow();
    }
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(60))
        .until(
            () ->
                "revoked"
                    .equals(
                        jdbc.sql("SELECT state FROM credential_rotations WHERE id = :id")
                            .param("id", rotation)
                            .query(String.class)
                            .single()));
    assertThat(
            jdbc.sql(
                    "SELECT count(*) FROM operations WHERE type = 'rotate.revoke' AND params ->> 'rotationId' = :id")
                .param("id", rotation)
                .query(Long.class)
                .single())
        .isEqualTo(1);
  }

  @Test
  void runtimeTokensAreListedWithoutTheirValues() {
    String slug = createProject("rt-list");
    String token = mintRuntimeToken(slug, "production");
    var res = admin().get("/v1/projects/" + slug + "/environments/production/runtime-tokens");
    assertThat(res.status()).isEqualTo(200);
    JsonNode items = res.json().path("items");
    assertThat(items).hasSize(1);
    JsonNode item = items.get(0);
    assertThat(item.path("id").asString()).startsWith("rt_");
    assertThat(item.path("instanceId").asString()).isEqualTo("i-1");
    assertThat(item.has("createdAt") && item.has("expiresAt") && item.has("revokedAt")).isTrue();
    assertThat(res.body()).doesNotContain(token).doesNotContain("hash");
    assertThat(admin().delete("/v1/runtime-tokens/" + item.path("id").asString()).status())
        .isEqualTo(204);
    JsonNode again =
        admin()
            .get("/v1/projects/" + slug + "/environments/production/runtime-tokens")
            .json()
            .path("items")
            .get(0);
    assertThat(again.path("revokedAt").isNull()).isFalse();
    assertThat(
            admin()
                .get("/v1/projects/" + slug + "/environments/staging/runtime-tokens")
                .json()
                .path("items"))
        .isEmpty();
  }

  @Test
  void runtimeTokensArePagedNewestFirstSoAFleetsTokensStayListable() {
    String slug = createProject("rt-page");
    List<String> minted = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      var res =
          admin()
              .post(
                  "/v1/projects/" + slug + "/environments/staging/runtime-tokens",
                  "{\"instanceId\":\"vm-" + i + "\"}");
      assertThat(res.status()).isEqualTo(201);
      minted.add(0, "vm-" + i); // newest first
    }
    String base = "/v1/projects/" + slug + "/environments/staging/runtime-tokens?limit=2";
    List<String> seen = new java.util.ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page = admin().get(base + (cursor == null ? "" : "&cursor=" + cursor)).json();
      page.path("items").forEach(t -> seen.add(t.path("instanceId").asString()));
      cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asString();
      pages++;
    } while (cursor != null && pages < 10);
    assertThat(pages).isEqualTo(3);
    assertThat(seen).containsExactlyElementsOf(minted);
    for (String bad : List.of("limit=0", "limit=1001", "limit=x", "cursor=not-a-cursor")) {
      var res = admin().get("/v1/projects/" + slug + "/environments/staging/runtime-tokens?" + bad);
      assertThat(res.status()).as(bad).isEqualTo(400);
      assertThat(res.body()).as(bad).contains(bad.substring(0, bad.indexOf('=')));
    }
  }
}
