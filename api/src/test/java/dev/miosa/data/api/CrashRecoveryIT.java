package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.local.LocalProcesses;
import dev.miosa.data.local.TestServers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The embedded default as a real process: {@code kill -9} while an operation is seen {@code
 * running}, then a new start finishes every operation, keeps tenant data, and leaves no role or
 * database duplicated or orphaned.
 */
class CrashRecoveryIT {

  static final String TOKEN = "crash-test-admin-token-123";

  Path dataDir;
  ServiceProcess app;
  int port;

  @AfterEach
  void stop() throws Exception {
    if (app != null) {
      app.stop(); // SIGTERM: a clean shutdown also stops the embedded PostgreSQL servers
    }
    if (dataDir != null) {
      TestServers.deleteQuietly(dataDir);
    }
  }

  @Test
  void killNineWhileProvisioningThenRestartFinishesEveryOperationExactlyOnce() throws Exception {
    dataDir = Files.createTempDirectory("miosa-crash");
    port = LocalProcesses.freePort();
    start();
    Http http = new Http("http://127.0.0.1:" + port, TOKEN);

    // Tenant data written before the crash.
    http.post("/v1/projects", "{\"slug\":\"crash-a\"}");
    var first = http.post("/v1/projects/crash-a/services", "{\"type\":\"postgres\"}");
    assertThat(
            http.awaitOperation(first.json().path("operationId").asString(), Duration.ofSeconds(60))
                .path("state")
                .asString())
        .isEqualTo("succeeded");
    String jdbcUrl =
        http.get("/v1/projects/crash-a/environments/production/variables")
            .json()
            .path("JDBC_DATABASE_URL")
            .asString();
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        var st = c.createStatement()) {
      st.execute("CREATE TABLE survivors (id int)");
      st.execute("INSERT INTO survivors SELECT generate_series(1, 100)");
    }

    // Start many operations, then kill the process without warning.
    List<String> operations = new ArrayList<>();
    http.post("/v1/projects", "{\"slug\":\"crash-b\"}");
    for (String name : List.of("one", "two", "three")) {
      operations.add(
          http.post(
                  "/v1/projects/crash-b/services",
                  "{\"type\":\"postgres\",\"name\":\"" + name + "\"}")
              .json()
              .path("operationId")
              .asString());
    }
    for (String env : List.of("preview-1", "preview-2")) {
      http.post("/v1/projects/crash-a/environments", "{\"name\":\"" + env + "\"}")
          .json()
          .path("operationIds")
          .forEach(o -> operations.add(o.asString()));
    }
    // Kill only once an operation is observed running (claimed, its lease held by this process).
    String running = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (running == null) {
      assertThat(System.nanoTime()).as("an operation observed running").isLessThan(deadline);
      for (String op : operations) {
        JsonNode o = http.get("/v1/operations/" + op).json();
        if ("running".equals(o.path("state").asString())) {
          running = op;
          break;
        }
      }
    }
    app.kill(); // SIGKILL

    start();
    for (String op : operations) {
      JsonNode done = http.awaitOperation(op, Duration.ofSeconds(120));
      assertThat(done.path("state").asString()).as(done.toString()).isEqualTo("succeeded");
    }
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        var st = c.createStatement()) {
      var rs = st.executeQuery("SELECT count(*) FROM survivors");
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(100);
    }

    // The tenant server holds exactly the roles and databases the control plane recorded.
    Set<String> recorded = new HashSet<>();
    try (Connection control = connectLocal("control-postgres", "miosa");
        var st = control.createStatement()) {
      var rs = st.executeQuery("SELECT id FROM resources WHERE phase = 'ready'");
      while (rs.next()) {
        recorded.add("t_" + rs.getString(1).substring(4));
      }
      var unfinished =
          st.executeQuery("SELECT count(*) FROM operations WHERE state <> 'succeeded'");
      unfinished.next();
      assertThat(unfinished.getInt(1)).isZero();
    }
    assertThat(recorded).hasSize(2 + 2 + 3 * 2);
    Set<String> roles = new HashSet<>();
    Set<String> databases = new HashSet<>();
    try (Connection tenant = connectLocal("tenant-postgres", "postgres");
        var st = tenant.createStatement()) {
      var rs = st.executeQuery("SELECT rolname FROM pg_roles WHERE rolname LIKE 't\\_%'");
      while (rs.next()) {
        roles.add(rs.getString(1));
      }
      rs = st.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'");
      while (rs.next()) {
        databases.add(rs.getString(1));
      }
    }
    Set<String> expectedRoles = new HashSet<>(recorded); // each database's first login
    recorded.forEach(database -> expectedRoles.add(database + "_owner")); // and its owner role
    assertThat(roles).isEqualTo(expectedRoles);
    assertThat(databases).isEqualTo(recorded);
  }

  void start() throws Exception {
    app =
        ServiceProcess.start(
            Map.of(
                "MIOSA_DATA_DIR", dataDir.toString(),
                "MIOSA_ADMIN_TOKEN", TOKEN,
                "MIOSA_WORKER_LEASE", "2s",
                "MIOSA_WORKER_POLL_INTERVAL", "100ms",
                "MIOSA_WORKER_BACKOFF_BASE", "200ms"),
            port,
            dataDir.resolve("app.log"));
    app.awaitHealthy(Duration.ofSeconds(90));
  }

  Connection connectLocal(String cluster, String database) throws Exception {
    Path base = dataDir.resolve(cluster);
    String password = Files.readString(base.resolve("superuser-password")).trim();
    List<String> pid = Files.readAllLines(base.resolve("data").resolve("postmaster.pid"));
    return DriverManager.getConnection(
        "jdbc:postgresql://127.0.0.1:" + pid.get(3).trim() + "/" + database, "postgres", password);
  }
}
