package dev.miosa.data.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The local PostgreSQL launcher used by the embedded default. */
class LocalPostgresIT {

  Path dir;

  @AfterEach
  void cleanup() {
    System.clearProperty("miosa.pg.bin");
    if (dir != null) {
      TestServers.deleteQuietly(dir);
    }
  }

  @Test
  void aSecondStartFindsTheDataAgain() throws Exception {
    dir = Files.createTempDirectory("miosa-localpg");
    LocalPostgres first = LocalPostgres.start(dir, Map.of("fsync", "off"));
    first.createDatabaseIfAbsent("kept");
    try (Connection c = first.connect("kept");
        var st = c.createStatement()) {
      st.execute("CREATE TABLE t (v int)");
      st.execute("INSERT INTO t VALUES (42)");
    }
    int port = first.port();
    first.stop();

    LocalPostgres second = LocalPostgres.start(dir, Map.of("fsync", "off"));
    try (Connection c = second.connect("kept");
        var st = c.createStatement()) {
      var rs = st.executeQuery("SELECT v FROM t");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(42);
    } finally {
      second.stop();
    }
    assertThat(second.port())
        .as("the saved port is reused, so stored URLs stay valid")
        .isEqualTo(port);
  }

  @Test
  void aServerLeftRunningIsReused() throws Exception {
    dir = Files.createTempDirectory("miosa-localpg");
    LocalPostgres first = LocalPostgres.start(dir, Map.of("fsync", "off"));
    // A new start while the first server still runs (its starter was killed) attaches to it.
    LocalPostgres again = LocalPostgres.start(dir, Map.of("fsync", "off"));
    assertThat(again.port()).isEqualTo(first.port());
    try (Connection c = again.connect("postgres")) {
      assertThat(c.isValid(2)).isTrue();
    } finally {
      again.stop();
    }
  }

  @Test
  void theBundledBinariesRunWhereTheMachineHasNone() throws Exception {
    System.setProperty("miosa.pg.bin", "bundled");
    dir = Files.createTempDirectory("miosa-bundledpg");
    LocalPostgres pg = LocalPostgres.start(dir, Map.of("fsync", "off"));
    try (Connection c = pg.connect("postgres");
        var st = c.createStatement()) {
      var rs = st.executeQuery("SHOW server_version");
      rs.next();
      assertThat(rs.getString(1)).startsWith("15.");
      assertThat(pg.binDir().toString()).contains("miosa-postgres-");
    } finally {
      pg.stop();
    }
  }
}
