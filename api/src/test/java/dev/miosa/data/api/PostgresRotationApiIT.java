package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Rotating a Postgres data service's credentials through the api, end to end: the control plane's
 * rotate operation, the owner-role layout and PgBouncer together. During the grace the old and the
 * new credential both connect (pooled and direct) and use each other's tables; after it the old is
 * refused and its open direct session is ended; a second rotation later works too.
 */
class PostgresRotationApiIT extends ApiTestBase {

  @Test
  void rotateKeepsOldLoginUntilGraceEndsAndTablesStayShared() throws Exception {
    String slug = createProject("rot-pg");
    assertThat(attachAndWait(slug, "{\"type\":\"postgres\"}").path("state").asString())
        .isEqualTo("succeeded");
    String token = mintRuntimeToken(slug, "production");
    JsonNode before = admin().as(token).get("/v1/runtime/env").json();
    String oldPooled = before.path("JDBC_DATABASE_URL").asString();
    String oldUser = before.path("PGUSER").asString();
    Connection oldDirect = direct(before);
    try (Statement st = oldDirect.createStatement()) {
      st.execute("CREATE TABLE orders (id int PRIMARY KEY, item text)");
      st.execute("INSERT INTO orders VALUES (1, 'made with the old login')");
    }

    JsonNode op = Rotations.rotateAndWait(admin(), slug, "postgres:main", "production", 25);
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");

    JsonNode after = admin().as(token).get("/v1/runtime/env").json();
    assertThat(after.path("PGUSER").asString()).isNotEqualTo(oldUser);
    assertThat(after.path("PGDATABASE").asString()).isEqualTo(before.path("PGDATABASE").asString());
    String newPooled = after.path("JDBC_DATABASE_URL").asString();
    try (Connection c = DriverManager.getConnection(newPooled);
        Statement st = c.createStatement()) {
      st.execute("INSERT INTO orders VALUES (2, 'written with the new login')");
      st.execute("CREATE TABLE invoices (id int)");
    }
    try (Connection c = DriverManager.getConnection(oldPooled);
        Statement st = c.createStatement()) {
      st.execute("INSERT INTO invoices VALUES (7)");
      var rs = st.executeQuery("SELECT count(*) FROM orders");
      rs.next();
      assertThat(rs.getInt(1)).as("the old login, pooled, during the grace").isEqualTo(2);
    }

    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> refused(oldPooled));
    assertThatThrownBy(() -> direct(before).close())
        .as("the old login, direct, after the grace")
        .isInstanceOf(SQLException.class);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> oldDirect.isClosed() || !oldDirect.isValid(1));
    try (Connection c = DriverManager.getConnection(newPooled);
        Statement st = c.createStatement()) {
      var rs =
          st.executeQuery("SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM invoices)");
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(3);
    }

    JsonNode again = Rotations.rotateAndWait(admin(), slug, "postgres:main", "production", 0);
    assertThat(again.path("state").asString()).as(again.toString()).isEqualTo("succeeded");
    JsonNode third = admin().as(token).get("/v1/runtime/env").json();
    assertThat(refused(newPooled)).as("grace 0 revokes the second credential at once").isTrue();
    try (Connection c = DriverManager.getConnection(third.path("JDBC_DATABASE_URL").asString());
        Statement st = c.createStatement()) {
      var rs = st.executeQuery("SELECT count(*) FROM orders");
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(2);
    }
  }

  private static Connection direct(JsonNode vars) throws SQLException {
    return connectDirect(vars, vars.path("PGDATABASE").asString());
  }

  private static boolean refused(String jdbcUrl) {
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        Statement st = c.createStatement()) {
      st.execute("SELECT 1");
      return false;
    } catch (SQLException e) {
      return true;
    }
  }
}
