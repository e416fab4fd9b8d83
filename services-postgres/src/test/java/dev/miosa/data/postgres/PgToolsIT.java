package dev.miosa.data.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.process.ExternalProcess.ProcessFailedException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The PostgreSQL client tools against the real test server, through the one process runner. */
class PgToolsIT {

  final LocalPostgres pg = TestServers.postgres();
  final PgTools tools = PgTools.locate(null);
  final PgTools.Target target =
      new PgTools.Target(
          pg.host(),
          pg.port(),
          LocalPostgres.SUPERUSER,
          pg.superuserPassword(),
          "postgres",
          "disable");

  @Test
  void aPsqlStuckInAQueryIsKilledAtItsDeadline() {
    // The old runner read psql's output to its end before it started the clock: this hung.
    assertThatThrownBy(
            () ->
                tools
                    .command("psql", target, List.of("-X", "-c", "SELECT pg_sleep(600)"))
                    .timeout(Duration.ofSeconds(1))
                    .run())
        .isInstanceOf(ProcessFailedException.class)
        .satisfies(e -> assertThat(((ProcessFailedException) e).timedOut()).isTrue())
        .hasMessageContaining("psql did not finish within PT1S");
  }

  @Test
  void psqlErrorsNeverShowThePassword() throws Exception {
    String password = pg.superuserPassword().reveal();
    assertThatThrownBy(() -> tools.psql(target, List.of("SELECT '" + password + "'::int")))
        .isInstanceOf(ProcessFailedException.class)
        .hasMessageContaining("psql exited 1")
        .hasMessageContaining("invalid input syntax")
        .hasMessageContaining("***")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(password));
    assertThat(tools.psql(target, List.of("SELECT 1 + 1"))).containsExactly("2");
  }
}
