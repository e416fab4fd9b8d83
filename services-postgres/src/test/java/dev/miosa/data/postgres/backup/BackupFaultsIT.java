package dev.miosa.data.postgres.backup;

import static dev.miosa.data.postgres.backup.BackupWorld.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.local.LocalS3Proxy;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.operation.Operation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Backups while the object store (a real S3Proxy of this test's own) is down, then back. */
class BackupFaultsIT {

  Path dir;
  LocalS3Proxy s3;

  @AfterEach
  void stop() {
    if (s3 != null) {
      s3.stop();
    }
    TestServers.deleteQuietly(dir);
  }

  @Test
  void aBackupWhileTheObjectStoreIsDownFailsCleanlyAndTheNextOneSucceeds() throws Exception {
    dir = Files.createTempDirectory("miosa-test-s3-fault");
    s3 = LocalS3Proxy.start(dir);
    BackupWorld world = new BackupWorld(s3, TestServers.postgres());
    var t = world.tenant(Map.of(), "production");
    String prod = t.resourceByEnv().get("production");
    try (Connection c = world.connect(prod);
        var st = c.createStatement()) {
      st.execute("CREATE TABLE orders AS SELECT g AS id FROM generate_series(1, 500) g");
    }

    s3.stop();
    Backup failed = world.backups.requestBackup(world.row(prod));
    world.drain(); // every attempt, each failing at once: none hangs
    Operation op = world.operation(failed.operationId());
    assertThat(op.state()).isEqualTo("failed");
    assertThat(op.errorCode()).isEqualTo("BACKUP_FAILED");
    assertThat(op.attempts()).isEqualTo(op.maxAttempts());
    Backup failedRow = world.backups.find(failed.id()).orElseThrow();
    assertThat(failedRow.state()).isEqualTo("failed");
    assertThat(failedRow.restorable()).isFalse();
    assertThat(failedRow.sizeBytes()).isNull();

    s3 = LocalS3Proxy.start(dir); // the same store again, on the same port
    Backup next = world.backups.requestBackup(world.row(prod));
    world.drain();
    Backup done = world.backups.find(next.id()).orElseThrow();
    assertThat(done.state()).as(String.valueOf(done.error())).isEqualTo("succeeded");
    assertThat(world.operation(next.operationId()).state()).isEqualTo("succeeded");
    // The failed backup left no object behind; the good one restores.
    assertThatThrownBy(() -> world.objects.download(failed.objectKey()).readAllBytes())
        .isInstanceOf(Exception.class);
    try (Connection c = world.connect(prod);
        var st = c.createStatement()) {
      st.execute("DROP TABLE orders");
    }
    String restore = world.backups.requestRestore(done, world.row(prod));
    world.drain();
    assertThat(world.operation(restore).state()).isEqualTo("succeeded");
    try (Connection c = world.connect(prod)) {
      assertThat(count(c, "SELECT count(*) FROM orders")).isEqualTo(500);
    }
  }
}
