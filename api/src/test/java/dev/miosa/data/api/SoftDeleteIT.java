package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.api.service.ServiceDeletion;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.JsonNode;

/**
 * Soft delete of Postgres data services and environments through the HTTP API, with the tenant's
 * own connections: deleted means logins refused and data kept; undelete gives the same credentials
 * and data back; purge (asked, or at purgeAt) drops the database for good.
 */
class SoftDeleteIT extends ApiTestBase {

  @Autowired JdbcClient jdbc;
  @Autowired ServiceDeletion deletion;

  String services(String slug) {
    return "/v1/projects/" + slug + "/services";
  }

  JsonNode variables(String slug, String env) {
    return admin().get("/v1/projects/" + slug + "/environments/" + env + "/variables").json();
  }

  JsonNode awaitSucceeded(Http.Res accepted) {
    assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
    JsonNode op =
        admin()
            .awaitOperation(accepted.json().path("operationId").asString(), Duration.ofSeconds(60));
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    return op;
  }

  static void writeRow(String jdbcUrl) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl)) {
      c.createStatement().execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('row')");
    }
  }

  static String readRow(String jdbcUrl) throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        var rs = c.createStatement().executeQuery("SELECT v FROM kept")) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  static Boolean canLogin(String role) throws SQLException {
    try (Connection c = tenantAdmin();
        var st = c.prepareStatement("SELECT rolcanlogin FROM pg_roles WHERE rolname = ?")) {
      st.setString(1, role);
      var rs = st.executeQuery();
      return rs.next() ? rs.getBoolean(1) : null;
    }
  }

  @Test
  void deleteRefusesLoginsKeepsDataAndUndeleteGivesTheSameCredentialsBack() throws Exception {
    String slug = createProject("sd-pg");
    attachAndWait(slug, "{\"type\":\"postgres\"}");
    JsonNode before = variables(slug, "production");
    String url = before.path("JDBC_DATABASE_URL").asString();
    String role = before.path("PGUSER").asString();
    writeRow(url);
    Http runtime = admin().as(mintRuntimeToken(slug, "production"));
    assertThat(runtime.get("/v1/runtime/env").json()).isEqualTo(before);

    String id;
    try (Connection held = DriverManager.getConnection(url)) {
      JsonNode deleted = deleteAndWait(slug, "postgres:main", "main");
      id = deleted.path("id").asString();
      assertThat(deleted.path("phase").asString()).isEqualTo("deleted");
      assertThat(held.isValid(2)).as("the session open at the delete").isFalse();
    }
    assertThatThrownBy(() -> DriverManager.getConnection(url).close())
        .as("a new login")
        .isInstanceOf(SQLException.class);
    assertThat(canLogin(role)).as("role NOLOGIN, kept").isFalse();
    assertThat(variables(slug, "production").size()).as("variables no longer served").isZero();
    assertThat(runtime.get("/v1/runtime/env").json().size()).as("nor to the runtime").isZero();

    JsonNode shown = admin().get(services(slug) + "/" + id).json();
    assertThat(shown.path("phase").asString()).isEqualTo("deleted");
    assertThat(Instant.parse(shown.path("purgeAt").asString()))
        .isAfter(Instant.parse(shown.path("deletedAt").asString()).plus(Duration.ofDays(6)));
    assertThat(admin().get(services(slug) + "/postgres:main").status()).isEqualTo(404);
    assertThat(admin().get(services(slug)).json().path("items").size()).isZero();
    assertThat(
            admin()
                .get(services(slug) + "?state=deleted")
                .json()
                .path("items")
                .get(0)
                .path("id")
                .asString())
        .isEqualTo(id);
    assertThat(admin().delete("/v1/projects/" + slug).json().path("code").asString())
        .isEqualTo("PROJECT_HAS_SERVICES");

    // The name is free: a new postgres:main; undelete is then refused while it lives.
    attachAndWait(slug, "{\"type\":\"postgres\"}");
    var taken = admin().post(services(slug) + "/" + id + "/undelete", null);
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.json().path("code").asString()).isEqualTo("NAME_TAKEN");
    assertThat(deleteAndPurge(slug, "postgres:main", "main").path("state").asString())
        .isEqualTo("succeeded");

    awaitSucceeded(admin().post(services(slug) + "/" + id + "/undelete", null));
    assertThat(variables(slug, "production")).as("the same variables").isEqualTo(before);
    assertThat(runtime.get("/v1/runtime/env").json()).isEqualTo(before);
    assertThat(readRow(url)).as("the same credentials see the same data").isEqualTo("row");
    assertThat(admin().get(services(slug) + "/postgres:main").json().path("phase").asString())
        .isEqualTo("ready");
    var live = admin().post(services(slug) + "/" + id + "/undelete", null);
    assertThat(live.json().path("code").asString()).isEqualTo("NOT_DELETED");
    var purgeLive = admin().delete(services(slug) + "/" + id + "?confirm=main&purge=true");
    assertThat(purgeLive.status()).isEqualTo(409);
    assertThat(purgeLive.json().path("code").asString()).isEqualTo("NOT_DELETED");

    // Purge: the database and role are gone; undelete and a second purge are refused.
    assertThat(deleteAndPurge(slug, id, "main").path("state").asString()).isEqualTo("succeeded");
    assertThat(canLogin(role)).as("role dropped").isNull();
    var late = admin().post(services(slug) + "/" + id + "/undelete", null);
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.json().path("code").asString()).isEqualTo("ALREADY_PURGED");
    var again = admin().delete(services(slug) + "/" + id + "?confirm=main&purge=true");
    assertThat(again.json().path("code").asString()).isEqualTo("ALREADY_PURGED");
    assertThat(admin().delete("/v1/projects/" + slug).status()).isEqualTo(204);
  }

  @Test
  void aDisableCutShortByACrashResumesAndTheServiceStaysRestorable() throws Exception {
    String slug = createProject("sd-crash");
    attachAndWait(slug, "{\"type\":\"postgres\"}");
    JsonNode before = variables(slug, "production");
    String url = before.path("JDBC_DATABASE_URL").asString();
    writeRow(url);
    JsonNode deleted = deleteAndWait(slug, "postgres:main", "main");
    String id = deleted.path("id").asString();
    String opId = deleted.path("operationId").asString();

    // As a replica killed half-way through the disable leaves it: the operation running under a
    // lease nobody renews, the resources in "disabling", the role able to log in again.
    jdbc.sql(
            "UPDATE operations SET state = 'running', lease_owner = 'dead-replica',"
                + " lease_expires_at = now() - interval '1 second', finished_at = NULL WHERE id = :id")
        .param("id", opId)
        .update();
    jdbc.sql("UPDATE resources SET phase = 'disabling' WHERE service_id = :id")
        .param("id", id)
        .update();
    try (Connection c = tenantAdmin()) {
      c.createStatement().execute("ALTER ROLE " + before.path("PGUSER").asString() + " LOGIN");
    }

    JsonNode resumed = admin().awaitOperation(opId, Duration.ofSeconds(60));
    assertThat(resumed.path("state").asString()).as(resumed.toString()).isEqualTo("succeeded");
    JsonNode shown = admin().get(services(slug) + "/" + id).json();
    assertThat(shown.path("phase").asString()).isEqualTo("deleted");
    assertThat(shown.path("environments").path("production").path("phase").asString())
        .isEqualTo("disabled");
    assertThat(canLogin(before.path("PGUSER").asString())).as("disabled again").isFalse();

    awaitSucceeded(admin().post(services(slug) + "/" + id + "/undelete", null));
    assertThat(readRow(url)).isEqualTo("row");
  }

  @Test
  void aDeletedServiceIsPurgedWhenItsWindowClosesAndCannotBeUndeletedThen() throws Exception {
    String slug = createProject("sd-window");
    attachAndWait(slug, "{\"type\":\"postgres\"}");
    String db = variables(slug, "production").path("PGDATABASE").asString();
    String id = deleteAndWait(slug, "postgres:main", "main").path("id").asString();
    jdbc.sql("UPDATE data_services SET purge_at = now() - interval '1 second' WHERE id = :id")
        .param("id", id)
        .update();

    var closed = admin().post(services(slug) + "/" + id + "/undelete", null);
    assertThat(closed.status()).isEqualTo(409);
    assertThat(closed.json().path("code").asString()).isEqualTo("ALREADY_PURGED");

    deletion.purgeDue(50);
    deletion.purgeDue(50); // again: nothing more to start
    String purgeOp =
        jdbc.sql("SELECT id FROM operations WHERE service_id = :id AND type = 'deprovision'")
            .param("id", id)
            .query(String.class)
            .single();
    assertThat(admin().awaitOperation(purgeOp, Duration.ofSeconds(60)).path("state").asString())
        .isEqualTo("succeeded");
    assertThat(PostgresLifecycleIT.databaseExists(db)).isFalse();
    assertThat(admin().get(services(slug) + "/" + id).status()).isEqualTo(404);
  }

  @Test
  void sweepersOfTwoReplicasAtOnceStartEachPurgeOnce() throws Exception {
    String slug = createProject("sd-sweep");
    attachAndWait(slug, "{\"type\":\"postgres\"}");
    attachAndWait(slug, "{\"type\":\"redis\"}");
    String pg = deleteAndWait(slug, "postgres:main", "main").path("id").asString();
    String redis = deleteAndWait(slug, "redis:main", "main").path("id").asString();
    jdbc.sql("UPDATE data_services SET purge_at = now() - interval '1 second' WHERE id IN (:a, :b)")
        .param("a", pg)
        .param("b", redis)
        .update();

    var pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try {
      var start = new java.util.concurrent.CountDownLatch(1);
      java.util.concurrent.Callable<Integer> sweep =
          () -> {
            start.await();
            return deletion.purgeDue(50);
          };
      var first = pool.submit(sweep);
      var second = pool.submit(sweep);
      start.countDown();
      first.get();
      second.get();
    } finally {
      pool.shutdownNow();
    }
    for (String id : java.util.List.of(pg, redis)) {
      java.util.List<String> purges =
          jdbc.sql("SELECT id FROM operations WHERE service_id = :id AND type = 'deprovision'")
              .param("id", id)
              .query(String.class)
              .list();
      assertThat(purges).as("one purge of " + id).hasSize(1);
      assertThat(
              admin()
                  .awaitOperation(purges.get(0), Duration.ofSeconds(60))
                  .path("state")
                  .asString())
          .isEqualTo("succeeded");
    }
  }

  @Test
  void aDeletedEnvironmentKeepsItsDatabaseAndUndeleteBringsItBack() throws Exception {
    String slug = createProject("sd-env");
    attachAndWait(slug, "{\"type\":\"postgres\"}");
    JsonNode staging = variables(slug, "staging");
    String url = staging.path("JDBC_DATABASE_URL").asString();
    writeRow(url);
    String envs = "/v1/projects/" + slug + "/environments";
    String envId = null;
    for (JsonNode e : admin().get(envs).json().path("items")) {
      if ("staging".equals(e.path("name").asString())) {
        envId = e.path("id").asString();
      }
    }
    assertThat(envId).isNotNull();

    Http runtime = admin().as(mintRuntimeToken(slug, "staging"));
    assertThat(runtime.get("/v1/runtime/env").status()).isEqualTo(200);
    var deleted = admin().delete(envs + "/staging?confirm=staging");
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
    awaitAllSucceeded(deleted.json().path("operationIds"));
    assertThat(admin().get(envs + "/staging/variables").status()).isEqualTo(404);
    assertThat(runtime.get("/v1/runtime/env").status()).as("its runtime tokens").isEqualTo(401);
    assertThatThrownBy(() -> DriverManager.getConnection(url).close())
        .isInstanceOf(SQLException.class);
    assertThat(PostgresLifecycleIT.databaseExists(staging.path("PGDATABASE").asString())).isTrue();
    JsonNode service = admin().get("/v1/projects/" + slug + "/services/postgres:main").json();
    assertThat(service.path("phase").asString())
        .as("a deleted environment does not hold up the data service's phase")
        .isEqualTo("ready");
    assertThat(service.path("environments").path("staging").path("phase").asString())
        .isEqualTo("disabled");
    JsonNode listed = admin().get(envs + "?state=deleted").json().path("items").get(0);
    assertThat(listed.path("id").asString()).isEqualTo(envId);
    assertThat(listed.path("state").asString()).isEqualTo("deleted");

    var undeleted = admin().post(envs + "/" + envId + "/undelete", null);
    assertThat(undeleted.status()).as(undeleted.body()).isEqualTo(202);
    awaitAllSucceeded(undeleted.json().path("operationIds"));
    assertThat(variables(slug, "staging")).isEqualTo(staging);
    assertThat(runtime.get("/v1/runtime/env").json())
        .as("its tokens work again")
        .isEqualTo(staging);
    assertThat(readRow(url)).isEqualTo("row");
    assertThat(admin().post(envs + "/" + envId + "/undelete", null).json().path("code").asString())
        .isEqualTo("NOT_DELETED");
  }
}
