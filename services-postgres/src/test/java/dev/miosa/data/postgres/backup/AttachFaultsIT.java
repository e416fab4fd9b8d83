package dev.miosa.data.postgres.backup;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationWorker;
import dev.miosa.data.provisioner.operation.WorkerSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An attach while its tenant PostgreSQL server (a real one of this test's own) is stopped: the
 * operation's attempts fail and are retried, and once the server is back the attach succeeds,
 * leaving exactly the recorded roles and databases on it.
 */
class AttachFaultsIT {

  static final Map<String, String> SETTINGS = Map.of("fsync", "off", "max_connections", "50");

  Path dir;
  LocalPostgres tenantServer;
  OperationWorker worker;

  @AfterEach
  void stop() {
    if (worker != null) {
      worker.close();
    }
    if (tenantServer != null) {
      tenantServer.close();
    }
    TestServers.deleteQuietly(dir);
  }

  @Test
  void anAttachWhileTheTenantServerIsDownRetriesAndSucceedsOnceItIsBackWithNoOrphan()
      throws Exception {
    dir = Files.createTempDirectory("miosa-test-tenant-pg");
    tenantServer = LocalPostgres.start(dir, SETTINGS);
    BackupWorld world = new BackupWorld(TestServers.s3proxy(), tenantServer);
    var attach = world.attach(1000, "production", "staging");
    String opId = attach.getValue();

    tenantServer.stop();
    worker =
        new OperationWorker(
            world.operations,
            world.reconciler,
            new WorkerSettings(
                2,
                Duration.ofMillis(50),
                Duration.ofSeconds(5),
                Duration.ofMillis(100),
                Duration.ofMillis(500),
                1000));
    worker.start();
    Operation failing = awaitOperation(world, opId, op -> op.attempts() >= 2);
    assertThat(failing.state()).isIn("pending", "running");
    assertThat(failing.errorCode()).isNotNull();
    for (String res : attach.getKey().resourceByEnv().values()) {
      assertThat(world.row(res).phase()).isIn("failed", "provisioning");
    }

    tenantServer = LocalPostgres.start(dir, SETTINGS); // the same cluster, on the same port
    Operation done = awaitOperation(world, opId, Operation::finished);
    assertThat(done.state()).as(String.valueOf(done.error())).isEqualTo("succeeded");

    Set<String> recorded = new HashSet<>();
    Set<String> roles = new HashSet<>();
    for (String res : attach.getKey().resourceByEnv().values()) {
      assertThat(world.row(res).phase()).isEqualTo("ready");
      String database = dev.miosa.data.postgres.PostgresProvider.nameFor(res);
      recorded.add(database);
      roles.add(database); // the login role of the first credential
      roles.add(world.owner(res));
      try (Connection c = world.connect(res)) {
        assertThat(BackupWorld.count(c, "SELECT 1")).isEqualTo(1);
      }
    }
    try (Connection admin = tenantServer.connect("postgres")) {
      assertThat(names(admin, "SELECT rolname FROM pg_roles WHERE rolname LIKE 't\\_%'"))
          .isEqualTo(roles);
      assertThat(names(admin, "SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'"))
          .isEqualTo(recorded);
    }
  }

  static Operation awaitOperation(BackupWorld world, String id, Predicate<Operation> done)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    Operation op = world.operation(id);
    while (!done.test(op)) {
      assertThat(System.nanoTime()).as("operation %s: %s", id, op).isLessThan(deadline);
      Thread.sleep(50);
      op = world.operation(id);
    }
    return op;
  }

  static Set<String> names(Connection c, String sql) throws Exception {
    Set<String> out = new HashSet<>();
    try (var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      while (rs.next()) {
        out.add(rs.getString(1));
      }
    }
    return out;
  }
}
