package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.local.TestServers;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Through HTTP: a Postgres data service's DATABASE_URL goes through PgBouncer, the unpooled URL
 * does not.
 */
class PostgresPoolingIT extends ApiTestBase {

  @Test
  void databaseUrlIsPooledAndTheUnpooledUrlServesMigrations() throws Exception {
    String slug = createProject("pool");
    JsonNode op =
        attachAndWait(
            slug,
            "{\"type\":\"postgres\",\"config\":{\"poolSize\":4,\"maxClientConnections\":50}}");
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    JsonNode service = admin().get("/v1/projects/" + slug + "/services/postgres:main").json();
    assertThat(service.path("config").path("poolMode").asString()).isEqualTo("transaction");
    assertThat(service.path("config").path("poolSize").asInt()).isEqualTo(4);

    JsonNode vars =
        admin().get("/v1/projects/" + slug + "/environments/production/variables").json();
    assertThat(URI.create(vars.path("DATABASE_URL").asString()).getPort())
        .isEqualTo(TestServers.pgbouncer().port());
    assertThat(URI.create(vars.path("DATABASE_URL_UNPOOLED").asString()).getPort())
        .isEqualTo(TestServers.postgres().port());
    assertThat(vars.path("JDBC_DATABASE_URL").asString()).contains("prepareThreshold=0");

    // A migration tool takes a session-level advisory lock: through the direct URL.
    String unpooled = vars.path("DATABASE_URL_UNPOOLED").asString();
    String direct =
        "jdbc:postgresql://"
            + URI.create(unpooled).getHost()
            + ":"
            + URI.create(unpooled).getPort()
            + "/"
            + vars.path("PGDATABASE").asString();
    try (Connection c =
            DriverManager.getConnection(
                direct, vars.path("PGUSER").asString(), vars.path("PGPASSWORD").asString());
        var st = c.createStatement()) {
      st.execute("SELECT pg_advisory_lock(42)");
      st.execute("CREATE TABLE orders (id serial PRIMARY KEY, total numeric)");
      st.execute("SELECT pg_advisory_unlock(42)");
    }
    try (Connection c = DriverManager.getConnection(vars.path("JDBC_DATABASE_URL").asString());
        var st = c.createStatement()) {
      st.execute("INSERT INTO orders (total) VALUES (9.5)");
      var rs = st.executeQuery("SELECT inet_server_port(), count(*) FROM orders GROUP BY 1");
      rs.next();
      assertThat(rs.getInt(1))
          .isEqualTo(TestServers.postgres().port()); // served by the real server
      assertThat(rs.getInt(2)).isEqualTo(1);
    }
    // libpq reads DATABASE_URL as it is.
    Process psql =
        new ProcessBuilder(
                "psql", vars.path("DATABASE_URL").asString(), "-tAc", "SELECT count(*) FROM orders")
            .redirectErrorStream(true)
            .start();
    String out = new String(psql.getInputStream().readAllBytes()).trim();
    assertThat(psql.waitFor()).as(out).isZero();
    assertThat(out).isEqualTo("1");
  }

  @Test
  void aPoolLargerThanTheConnectionLimitIsRefusedNamingTheField() {
    String slug = createProject("poolbad");
    var res =
        admin()
            .post(
                "/v1/projects/" + slug + "/services",
                "{\"type\":\"postgres\",\"config\":{\"connectionLimit\":5,\"poolSize\":8}}");
    assertThat(res.status()).isEqualTo(400);
    assertThat(res.json().path("errors").get(0).path("field").asString())
        .isEqualTo("config.poolSize");
  }
}
