package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A project attaches Postgres, a runtime instance fetches DATABASE_URL and connects; then it is
 * deleted.
 */
class PostgresLifecycleIT extends ApiTestBase {

  @Test
  void attachProvisionsADatabasePerEnvironmentThatTheRuntimeConnectsTo() throws Exception {
    String slug = createProject("life");
    var attach = admin().post("/v1/projects/" + slug + "/services", "{\"type\":\"postgres\"}");
    assertThat(attach.status()).isEqualTo(202);
    assertThat(attach.header("Location")).contains("/services/");
    assertThat(attach.json().path("phase").asString()).isEqualTo("provisioning");
    JsonNode op =
        admin()
            .awaitOperation(attach.json().path("operationId").asString(), Duration.ofSeconds(60));
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");

    JsonNode service = admin().get("/v1/projects/" + slug + "/services/postgres:main").json();
    assertThat(service.path("phase").asString()).isEqualTo("ready");
    assertThat(service.path("environments").path("production").path("variables").toString())
        .contains("DATABASE_URL", "JDBC_DATABASE_URL", "PGPASSWORD")
        .doesNotContain("postgresql://");

    String token = mintToken(slug, "production");
    var env = admin().as(token).get("/v1/runtime/env");
    assertThat(env.status()).isEqualTo(200);
    assertThat(env.header("Cache-Control")).contains("no-store");
    JsonNode vars = env.json();
    assertThat(vars.path("DATABASE_URL").asString())
        .startsWith("postgresql://")
        .contains("sslmode=");
    try (Connection c = DriverManager.getConnection(vars.path("JDBC_DATABASE_URL").asString());
        var st = c.createStatement()) {
      st.execute("CREATE TABLE orders (id serial PRIMARY KEY, total numeric)");
      st.execute("INSERT INTO orders (total) VALUES (1), (2)");
    }

    JsonNode staging =
        admin().get("/v1/projects/" + slug + "/environments/staging/variables").json();
    assertThat(staging.path("PGDATABASE").asString())
        .isNotEqualTo(vars.path("PGDATABASE").asString());
    assertThatThrownBy(() -> connectDirect(vars, staging.path("PGDATABASE").asString()).close())
        .isInstanceOf(SQLException.class);

    // Nor another project's database.
    String other = createProject("life-other");
    attachAndWait(other, "{\"type\":\"postgres\"}");
    JsonNode otherVars =
        admin().get("/v1/projects/" + other + "/environments/production/variables").json();
    assertThatThrownBy(() -> connectDirect(vars, otherVars.path("PGDATABASE").asString()).close())
        .isInstanceOf(SQLException.class);

    // dotenv and shell formats carry the same values.
    String dotenv = admin().as(token).get("/v1/runtime/env?format=dotenv").body();
    assertThat(dotenv).contains("DATABASE_URL='" + vars.path("DATABASE_URL").asString() + "'");
    String plain = admin().as(token).get("/v1/runtime/env", Map.of("Accept", "text/plain")).body();
    assertThat(plain).isEqualTo(dotenv);
    assertThat(admin().as(token).get("/v1/runtime/env?format=shell").body())
        .contains("export PGUSER='" + vars.path("PGUSER").asString() + "'");
    assertThat(admin().as(token).get("/v1/runtime/env?format=yaml").status()).isEqualTo(400);
  }

  @Test
  void deleteNeedsTheRightConfirmAndPurgeDropsEvenWithAClientConnected() throws Exception {
    String slug = createProject("del");
    assertThat(attachAndWait(slug, "{\"type\":\"postgres\"}").path("state").asString())
        .isEqualTo("succeeded");
    JsonNode vars =
        admin().get("/v1/projects/" + slug + "/environments/production/variables").json();
    String db = vars.path("PGDATABASE").asString();

    var refused = admin().delete("/v1/projects/" + slug + "/services/postgres:main?confirm=wrong");
    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().path("errors").get(0).path("field").asString()).isEqualTo("confirm");
    assertThat(admin().delete("/v1/projects/" + slug + "/services/postgres:main").status())
        .isEqualTo(400);
    assertThat(databaseExists(db)).isTrue();

    try (Connection held = DriverManager.getConnection(vars.path("JDBC_DATABASE_URL").asString())) {
      JsonNode op = deleteAndPurge(slug, "postgres:main", "main");
      assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
      assertThat(held.isValid(2)).isFalse();
    }
    assertThat(databaseExists(db)).isFalse();
    assertThat(roleExists(vars.path("PGUSER").asString())).isFalse();
    assertThat(admin().get("/v1/projects/" + slug + "/services/postgres:main").status())
        .isEqualTo(404);
    assertThat(
            admin()
                .get("/v1/projects/" + slug + "/environments/production/variables")
                .json()
                .size())
        .isZero();
    assertThat(admin().delete("/v1/projects/" + slug).status()).isEqualTo(204);
  }

  @Test
  void aProjectWithDataServicesCannotBeDeleted() {
    String slug = createProject("keep");
    attachAndWait(slug, "{\"type\":\"postgres\"}");
    var res = admin().delete("/v1/projects/" + slug);
    assertThat(res.status()).isEqualTo(409);
    assertThat(res.json().path("code").asString()).isEqualTo("PROJECT_HAS_SERVICES");
  }

  @Test
  void anEnvironmentAddedLaterGetsItsOwnDatabaseAndPurgingItDropsIt() throws Exception {
    String slug = createProject("envs");
    attachAndWait(
        slug, "{\"type\":\"postgres\",\"name\":\"analytics\",\"config\":{\"connectionLimit\":5}}");
    var created =
        admin().post("/v1/projects/" + slug + "/environments", "{\"name\":\"preview-42\"}");
    assertThat(created.status()).isEqualTo(201);
    String op = created.json().path("operationIds").get(0).asString();
    assertThat(admin().awaitOperation(op, Duration.ofSeconds(60)).path("state").asString())
        .isEqualTo("succeeded");
    JsonNode preview =
        admin().get("/v1/projects/" + slug + "/environments/preview-42/variables").json();
    JsonNode production =
        admin().get("/v1/projects/" + slug + "/environments/production/variables").json();
    assertThat(preview.has("ANALYTICS_DATABASE_URL")).isTrue();
    assertThat(preview.has("DATABASE_URL")).isFalse();
    assertThat(preview.path("ANALYTICS_PGDATABASE").asString())
        .isNotEqualTo(production.path("ANALYTICS_PGDATABASE").asString());
    try (Connection c =
        DriverManager.getConnection(preview.path("ANALYTICS_JDBC_DATABASE_URL").asString())) {
      assertThat(c.isValid(2)).isTrue();
    }
    assertThat(
            admin()
                .post("/v1/projects/" + slug + "/environments", "{\"name\":\"preview-42\"}")
                .status())
        .isEqualTo(409);

    assertThat(admin().delete("/v1/projects/" + slug + "/environments/preview-42").status())
        .isEqualTo(400);
    var deleted =
        admin().delete("/v1/projects/" + slug + "/environments/preview-42?confirm=preview-42");
    assertThat(deleted.status()).isEqualTo(202);
    String delOp = deleted.json().path("operationIds").get(0).asString();
    assertThat(admin().awaitOperation(delOp, Duration.ofSeconds(60)).path("state").asString())
        .isEqualTo("succeeded");
    assertThat(databaseExists(preview.path("ANALYTICS_PGDATABASE").asString()))
        .as("kept while the environment is deleted")
        .isTrue();
    String envId = created.json().path("environment").path("id").asString();
    var purged =
        admin()
            .delete(
                "/v1/projects/"
                    + slug
                    + "/environments/"
                    + envId
                    + "?confirm=preview-42&purge=true");
    assertThat(purged.status()).as(purged.body()).isEqualTo(202);
    String purgeOp = purged.json().path("operationIds").get(0).asString();
    assertThat(admin().awaitOperation(purgeOp, Duration.ofSeconds(60)).path("state").asString())
        .isEqualTo("succeeded");
    assertThat(databaseExists(preview.path("ANALYTICS_PGDATABASE").asString())).isFalse();
    assertThat(databaseExists(production.path("ANALYTICS_PGDATABASE").asString())).isTrue();
    assertThat(admin().get("/v1/projects/" + slug + "/environments/preview-42/variables").status())
        .isEqualTo(404);
  }

  String mintToken(String slug, String env) {
    var res =
        admin()
            .post(
                "/v1/projects/" + slug + "/environments/" + env + "/runtime-tokens",
                "{\"instanceId\":\"sbx-1\",\"ttlSeconds\":600}");
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    return res.json().path("token").asString();
  }

  static boolean databaseExists(String name) throws SQLException {
    try (Connection c = tenantAdmin();
        var st = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      st.setString(1, name);
      return st.executeQuery().next();
    }
  }

  static boolean roleExists(String name) throws SQLException {
    try (Connection c = tenantAdmin();
        var st = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
      st.setString(1, name);
      return st.executeQuery().next();
    }
  }
}
