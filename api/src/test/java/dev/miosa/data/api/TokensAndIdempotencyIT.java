package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.miosa.data.api.runtime.RuntimeTokenService;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Runtime tokens are scoped and revocable; the operator API needs the admin token; Idempotency-Key.
 */
class TokensAndIdempotencyIT extends ApiTestBase {

  @Autowired JdbcClient jdbc;
  @Autowired RuntimeTokenService runtimeTokens;

  @Test
  void aRuntimeTokenReadsOnlyItsOwnEnvironment() {
    String a = createProject("tok-a");
    String b = createProject("tok-b");
    attachAndWait(a, "{\"type\":\"postgres\"}");
    attachAndWait(b, "{\"type\":\"postgres\"}");
    String token = mintRuntimeToken(a, "production");
    JsonNode own = admin().as(token).get("/v1/runtime/env").json();
    JsonNode aStaging = admin().get("/v1/projects/" + a + "/environments/staging/variables").json();
    JsonNode bProduction =
        admin().get("/v1/projects/" + b + "/environments/production/variables").json();
    assertThat(own.path("PGDATABASE").asString())
        .isNotEqualTo(aStaging.path("PGDATABASE").asString())
        .isNotEqualTo(bProduction.path("PGDATABASE").asString());
    // The runtime token is no operator credential: authenticated, but forbidden there.
    assertThat(
            admin().as(token).get("/v1/projects/" + a + "/environments/staging/variables").status())
        .isEqualTo(403);
    assertThat(admin().as(token).get("/v1/projects/" + b).status()).isEqualTo(403);
  }

  @Test
  void revokedAndExpiredTokensGet401() {
    String slug = createProject("tok-r");
    var minted =
        admin()
            .post("/v1/projects/" + slug + "/environments/production/runtime-tokens", "{}")
            .json();
    String token = minted.path("token").asString();
    assertThat(admin().as(token).get("/v1/runtime/env").status()).isEqualTo(200);
    assertThat(admin().delete("/v1/runtime-tokens/" + minted.path("id").asString()).status())
        .isEqualTo(204);
    var revoked = admin().as(token).get("/v1/runtime/env");
    assertThat(revoked.status()).isEqualTo(401);
    assertThat(revoked.header("WWW-Authenticate")).startsWith("Bearer");
    assertThat(admin().delete("/v1/runtime-tokens/rt_nosuchtoken").status()).isEqualTo(404);

    var other =
        admin()
            .post(
                "/v1/projects/" + slug + "/environments/production/runtime-tokens",
                "{\"ttlSeconds\":60}")
            .json();
    String second = other.path("token").asString();
    assertThat(admin().as(second).get("/v1/runtime/env").status()).isEqualTo(200);
    jdbc.sql("UPDATE runtime_tokens SET expires_at = now() - interval '1 second' WHERE id = :id")
        .param("id", other.path("id").asString())
        .update();
    runtimeTokens.invalidateAll();
    assertThat(admin().as(second).get("/v1/runtime/env").status()).isEqualTo(401);
    assertThat(admin().as("mrt_forged").get("/v1/runtime/env").status()).isEqualTo(401);
    assertThat(anonymous().get("/v1/runtime/env").status()).isEqualTo(401);
  }

  @Test
  void theOperatorApiNeedsTheAdminToken() {
    String slug = createProject("tok-admin");
    assertThat(anonymous().get("/v1/projects").status()).isEqualTo(401);
    assertThat(
            admin()
                .as("wrong-token")
                .get("/v1/projects/" + slug + "/environments/production/variables")
                .status())
        .isEqualTo(401);
    var res = anonymous().post("/v1/projects", "{\"slug\":\"sneaky\"}");
    assertThat(res.status()).isEqualTo(401);
    assertThat(res.json().path("status").asInt()).isEqualTo(401);
    assertThat(admin().get("/v1/projects/sneaky").status()).isEqualTo(404);
    assertThat(anonymous().get("/actuator/health").status()).isEqualTo(200);
  }

  @Test
  void variableReadsAreAudited() throws Exception {
    String slug = createProject("audit");
    String token = mintRuntimeToken(slug, "production");
    admin().as(token).get("/v1/runtime/env");
    admin().get("/v1/projects/" + slug + "/environments/production/variables");
    String projectId = admin().get("/v1/projects/" + slug).json().path("id").asString();
    List<String> actors =
        await()
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    jdbc.sql(
                            "SELECT actor FROM audit_log WHERE project_id = :p AND action = 'variables.read' ORDER BY id")
                        .param("p", projectId)
                        .query(String.class)
                        .list(),
                a -> a.size() >= 2);
    assertThat(actors).hasSize(2);
    assertThat(actors.get(0)).startsWith("runtime-token:rt_");
    assertThat(actors.get(1)).isEqualTo("admin");

    // A burst of reads is counted read for read, in few rows.
    for (int i = 0; i < 50; i++) {
      admin().as(token).get("/v1/runtime/env");
    }
    long counted =
        await()
            .atMost(Duration.ofSeconds(20))
            .pollInterval(Duration.ofMillis(100))
            .until(
                () ->
                    jdbc.sql(
                            "SELECT coalesce(sum(reads), 0) FROM audit_log WHERE project_id = :p AND actor LIKE 'runtime-token:%'")
                        .param("p", projectId)
                        .query(Long.class)
                        .single(),
                c -> c >= 51);
    assertThat(counted).isEqualTo(51);
  }

  @Test
  void tenConcurrentPostsWithOneIdempotencyKeyCreateOneDataService() throws Exception {
    String slug = createProject("idem");
    String body = "{\"type\":\"postgres\",\"name\":\"orders\"}";
    var pool = Executors.newFixedThreadPool(10);
    List<Future<Http.Res>> results = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Callable<Http.Res> call =
          () ->
              admin()
                  .post(
                      "/v1/projects/" + slug + "/services",
                      body,
                      Map.of("Idempotency-Key", "k-123"));
      results.add(pool.submit(call));
    }
    Set<String> ids = new HashSet<>();
    Set<Integer> statuses = new HashSet<>();
    for (var f : results) {
      Http.Res r = f.get();
      statuses.add(r.status());
      ids.add(r.json().path("id").asString() + "/" + r.json().path("operationId").asString());
    }
    pool.shutdown();
    assertThat(statuses).containsExactly(202);
    assertThat(ids).hasSize(1);
    assertThat(admin().get("/v1/projects/" + slug + "/services").json().path("items").size())
        .isEqualTo(1);

    var reused =
        admin()
            .post(
                "/v1/projects/" + slug + "/services",
                "{\"type\":\"postgres\",\"name\":\"other\"}",
                Map.of("Idempotency-Key", "k-123"));
    assertThat(reused.status()).isEqualTo(422);
    assertThat(reused.json().path("code").asString()).isEqualTo("IDEMPOTENCY_KEY_REUSED");
    var again =
        admin()
            .post("/v1/projects/" + slug + "/services", body, Map.of("Idempotency-Key", "k-123"));
    assertThat(again.status()).isEqualTo(202);
    assertThat(
            again.json().path("id").asString() + "/" + again.json().path("operationId").asString())
        .isEqualTo(ids.iterator().next());
  }
}
