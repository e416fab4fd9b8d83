package dev.miosa.data.api.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The audit writer against a real control-plane PostgreSQL that becomes unavailable: its database
 * refuses connections for a while (as during a restart), then comes back.
 */
class AuditLogIT {

  @Test
  void readsRecordedWhileTheStoreIsDownAreWrittenOnceItIsBackAndNoneIsLost() throws Exception {
    DataSource ds = TestServers.controlPlaneDatabase("audit");
    JdbcTemplate jdbc = new JdbcTemplate(ds);
    String db = jdbc.queryForObject("SELECT current_database()", String.class);
    AuditLog audit = new AuditLog(jdbc, 10);
    try {
      TestServers.setDatabaseAvailable(db, false);
      for (int i = 0; i < 600; i++) {
        audit.record("runtime-token:tok_" + (i % 3), "variables.read", "prj_1", "env_1");
      }
      // More failed writes than the old writer's five attempts before it dropped the rows.
      awaitTrue(() -> audit.stats().failedWrites() >= 6);
      assertThat(audit.stats().backlog()).isEqualTo(600);
      assertThat(audit.stats().oldestPendingMillis()).isPositive();

      // Bounded by rows, not reads: once 10 rows wait, a read that would start an 11th is refused
      // (503), never silently dropped, while reads counted into a waiting row go on.
      for (int i = 0; i < 400; i++) {
        audit.record("admin", "variables.read", "prj_1", "env_" + (i % 7));
      }
      assertThatThrownBy(() -> audit.record("admin", "variables.read", "prj_1", "env_new"))
          .isInstanceOfSatisfying(
              MiosaException.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.UNAVAILABLE);
                assertThat(e.retryAfter()).isNotNull();
              });
      assertThat(audit.stats().refused()).isEqualTo(1);
      for (int i = 0; i < 100_000; i++) { // a fleet reading one environment costs one row
        audit.record("runtime-token:tok_0", "variables.read", "prj_1", "env_1");
      }
      assertThat(audit.stats().refused()).isEqualTo(1);

      TestServers.setDatabaseAvailable(db, true);
      awaitTrue(() -> audit.stats().backlog() == 0);
      assertThat(audit.stats().oldestPendingMillis()).isZero();
      assertThat(
              jdbc.queryForObject(
                  "SELECT sum(reads) FROM audit_log WHERE actor LIKE 'runtime-token:%'",
                  Long.class))
          .isEqualTo(100_600);
      assertThat(
              jdbc.queryForObject(
                  "SELECT sum(reads) FROM audit_log WHERE actor = 'admin'", Long.class))
          .isEqualTo(400);
      assertThat(jdbc.queryForObject("SELECT count(*) FROM audit_log", Long.class)).isEqualTo(10);
    } finally {
      TestServers.setDatabaseAvailable(db, true);
      audit.flush();
    }
  }

  @Test
  void aCleanShutdownWritesWhatIsPending() {
    DataSource ds = TestServers.controlPlaneDatabase("audit");
    JdbcTemplate jdbc = new JdbcTemplate(ds);
    AuditLog audit = new AuditLog(jdbc, 1000);
    for (int i = 0; i < 50; i++) {
      audit.record("admin", "variables.read", "prj_1", "env_" + (i % 5));
    }
    audit.flush();
    assertThat(jdbc.queryForObject("SELECT sum(reads) FROM audit_log", Long.class)).isEqualTo(50);
    assertThat(audit.stats().backlog()).isZero();
  }

  static void awaitTrue(BooleanSupplier condition) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(condition::getAsBoolean);
  }
}
