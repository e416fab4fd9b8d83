package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** Through HTTP: on-demand backups, listing, restores into the same and another environment. */
class PostgresBackupIT extends ApiTestBase {

  @Test
  void backupDropRestoreThenCopyProductionIntoStagingAndKeepBackupsAfterDeletion()
      throws Exception {
    String slug = createProject("bkp");
    assertThat(attachAndWait(slug, "{\"type\":\"postgres\"}").path("state").asString())
        .isEqualTo("succeeded");
    JsonNode prod = variables(slug, "production");
    JsonNode staging = variables(slug, "staging");
    exec(
        prod,
        "CREATE TABLE orders (id serial PRIMARY KEY, total numeric)",
        "INSERT INTO orders (total) SELECT g FROM generate_series(1, 250) g");
    exec(
        staging,
        "CREATE TABLE orders (id serial PRIMARY KEY, total numeric)",
        "INSERT INTO orders (total) VALUES (-1)");

    String base = "/v1/projects/" + slug + "/services/postgres:main/backups";
    var taken = admin().post(base, "{\"environment\":\"production\"}");
    assertThat(taken.status()).as(taken.body()).isEqualTo(202);
    assertThat(taken.header("Location")).contains("/backups/");
    String backupId = taken.json().path("id").asString();
    JsonNode op =
        admin().awaitOperation(taken.json().path("operationId").asString(), Duration.ofSeconds(60));
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    assertThat(op.path("type").asString()).isEqualTo("postgres.backup");

    JsonNode listed = admin().get(base + "?environment=production").json().path("items");
    assertThat(listed.size()).isEqualTo(1);
    JsonNode backup = listed.get(0);
    assertThat(backup.path("id").asString()).isEqualTo(backupId);
    assertThat(backup.path("state").asString()).isEqualTo("succeeded");
    assertThat(backup.path("kind").asString()).isEqualTo("manual");
    assertThat(backup.path("sizeBytes").asLong()).isPositive();
    assertThat(backup.path("sha256").asString()).matches("[0-9a-f]{64}");
    assertThat(backup.path("finishedAt").asString()).isNotBlank();
    assertThat(admin().get(base + "?environment=staging").json().path("items").size()).isZero();

    // Same environment: table dropped, restore needs the environment's name as confirmation.
    exec(prod, "DROP TABLE orders");
    var refused =
        admin()
            .post(
                base + "/" + backupId + "/restore",
                "{\"environment\":\"production\",\"confirm\":\"yes\"}");
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().path("errors").get(0).path("field").asString()).isEqualTo("confirm");
    var restored =
        admin()
            .post(
                base + "/" + backupId + "/restore",
                "{\"environment\":\"production\",\"confirm\":\"production\"}");
    assertThat(restored.status()).as(restored.body()).isEqualTo(202);
    JsonNode restoreOp =
        admin()
            .awaitOperation(restored.json().path("operationId").asString(), Duration.ofSeconds(60));
    assertThat(restoreOp.path("state").asString()).as(restoreOp.toString()).isEqualTo("succeeded");
    assertThat(count(prod, "SELECT count(*) FROM orders")).isEqualTo(250);

    // Another environment: staging gets production's rows; production stays as it is.
    exec(prod, "INSERT INTO orders (total) VALUES (999)");
    var copy =
        admin()
            .post(
                base + "/" + backupId + "/restore",
                "{\"environment\":\"staging\",\"confirm\":\"staging\"}");
    assertThat(copy.status()).isEqualTo(202);
    assertThat(
            admin()
                .awaitOperation(copy.json().path("operationId").asString(), Duration.ofSeconds(60))
                .path("state")
                .asString())
        .isEqualTo("succeeded");
    assertThat(count(staging, "SELECT count(*) FROM orders")).isEqualTo(250);
    assertThat(count(staging, "SELECT count(*) FROM orders WHERE total = -1")).isZero();
    assertThat(count(prod, "SELECT count(*) FROM orders")).isEqualTo(251);

    assertThat(
            admin()
                .post(
                    base + "/bkp_doesnotexist0000000/restore",
                    "{\"environment\":\"staging\",\"confirm\":\"staging\"}")
                .status())
        .isEqualTo(404);
    assertThat(admin().post(base, "{\"environment\":\"nowhere\"}").status()).isEqualTo(404);

    // Deleting the data service keeps its backups, with no expiry while it can be undeleted; its
    // purge starts their own retention window, so they outlive the purge.
    String serviceId = deleteAndWait(slug, "postgres:main", "main").path("id").asString();
    String byId = "/v1/projects/" + slug + "/services/" + serviceId + "/backups";
    JsonNode whileDeleted = admin().get(byId).json().path("items").get(0);
    assertThat(whileDeleted.path("id").asString()).isEqualTo(backupId);
    assertThat(whileDeleted.has("expiresAt")).as("no expiry while undeletable").isFalse();
    var purged =
        admin()
            .delete("/v1/projects/" + slug + "/services/" + serviceId + "?confirm=main&purge=true");
    assertThat(purged.status()).as(purged.body()).isEqualTo(202);
    admin().awaitOperation(purged.json().path("operationId").asString(), Duration.ofSeconds(60));
    // The scheduler (every 200 ms here) starts the window.
    JsonNode kept =
        await()
            .atMost(Duration.ofSeconds(10))
            .pollInterval(Duration.ofMillis(100))
            .until(() -> admin().get(byId).json().path("items").get(0), k -> k.has("expiresAt"));
    assertThat(kept.path("id").asString()).isEqualTo(backupId);
    assertThat(kept.path("expiresAt").asString()).isNotBlank();
  }

  JsonNode variables(String slug, String env) {
    return admin().get("/v1/projects/" + slug + "/environments/" + env + "/variables").json();
  }

  static void exec(JsonNode vars, String... sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(vars.path("JDBC_DATABASE_URL").asString());
        var st = c.createStatement()) {
      for (String s : sql) {
        st.execute(s);
      }
    }
  }

  static int count(JsonNode vars, String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(vars.path("JDBC_DATABASE_URL").asString());
        var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
