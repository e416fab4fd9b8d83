package dev.miosa.data.postgres.backup;

import static dev.miosa.data.postgres.backup.BackupWorld.count;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.sql.Connection;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Backups to a real object store (S3Proxy) and restores into real PostgreSQL databases. */
class PostgresBackupsIT {

  static final BackupWorld world = new BackupWorld();

  @Test
  void rowsWrittenBackupTakenTableDroppedRestoreBringsTheRowsBack() throws Exception {
    var t = world.tenant(Map.of(), "production");
    String prod = t.resourceByEnv().get("production");
    try (Connection c = world.connect(prod);
        var st = c.createStatement()) {
      st.execute(
          "CREATE TABLE orders (id bigserial PRIMARY KEY, total numeric NOT NULL, note text)");
      st.execute("CREATE INDEX orders_total ON orders (total)");
      st.execute(
          "INSERT INTO orders (total, note) SELECT g, 'order ' || g FROM generate_series(1, 1000) g");
      st.execute("CREATE SCHEMA reporting");
      st.execute("CREATE VIEW reporting.big AS SELECT * FROM orders WHERE total > 500");
    }

    Backup requested = world.backups.requestBackup(world.row(prod));
    assertThat(requested.state()).isEqualTo("pending");
    assertThat(requested.operationId()).isNotNull();
    world.drain();
    Backup backup = world.backups.find(requested.id()).orElseThrow();
    assertThat(backup.state()).as(String.valueOf(backup.error())).isEqualTo("succeeded");
    assertThat(backup.sizeBytes()).isPositive();
    assertThat(world.operation(requested.operationId()).state()).isEqualTo("succeeded");
    // The recorded checksum is the stored object's.
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    long size;
    try (InputStream in = world.objects.download(backup.objectKey())) {
      byte[] all = in.readAllBytes();
      size = all.length;
      sha.update(all);
    }
    assertThat(size).isEqualTo(backup.sizeBytes());
    assertThat(HexFormat.of().formatHex(sha.digest())).isEqualTo(backup.sha256());

    try (Connection c = world.connect(prod);
        var st = c.createStatement()) {
      st.execute("DROP TABLE orders CASCADE");
      st.execute("CREATE TABLE made_after_the_backup (x int)");
    }
    String restore = world.backups.requestRestore(backup, world.row(prod));
    world.drain();
    assertThat(world.operation(restore).state())
        .as(String.valueOf(world.operation(restore).error()))
        .isEqualTo("succeeded");
    try (Connection c = world.connect(prod);
        var st = c.createStatement()) {
      assertThat(count(c, "SELECT count(*) FROM orders")).isEqualTo(1000);
      assertThat(count(c, "SELECT count(*) FROM reporting.big")).isEqualTo(500);
      assertThat(count(c, "SELECT count(*) FROM pg_indexes WHERE indexname = 'orders_total'"))
          .isEqualTo(1);
      assertThat(
              count(c, "SELECT count(*) FROM pg_tables WHERE tablename = 'made_after_the_backup'"))
          .isZero();
      st.execute("INSERT INTO orders (total) VALUES (1001)"); // the sequence came back too
      assertThat(count(c, "SELECT max(id) FROM orders")).isEqualTo(1001);
    }
  }

  @Test
  void productionRestoredIntoStagingGivesStagingProductionsRowsAndLeavesProductionAlone()
      throws Exception {
    var t = world.tenant(Map.of(), "production", "staging");
    String prod = t.resourceByEnv().get("production");
    String staging = t.resourceByEnv().get("staging");
    try (Connection c = world.connect(prod);
        var st = c.createStatement()) {
      st.execute("CREATE TABLE customers (id int PRIMARY KEY, name text)");
      st.execute("INSERT INTO customers SELECT g, 'customer ' || g FROM generate_series(1, 50) g");
    }
    try (Connection c = world.connect(staging);
        var st = c.createStatement()) {
      st.execute("CREATE TABLE customers (id int PRIMARY KEY, name text)");
      st.execute("INSERT INTO customers VALUES (1, 'test user')");
      st.execute("CREATE TABLE staging_only (x int)");
    }
    Backup backup = world.backups.requestBackup(world.row(prod));
    world.drain();
    try (Connection c = world.connect(prod);
        var st = c.createStatement()) {
      st.execute("INSERT INTO customers VALUES (51, 'after the backup')");
    }

    String op =
        world.backups.requestRestore(
            world.backups.find(backup.id()).orElseThrow(), world.row(staging));
    world.drain();
    assertThat(world.operation(op).state())
        .as(String.valueOf(world.operation(op).error()))
        .isEqualTo("succeeded");

    try (Connection c = world.connect(staging);
        var st = c.createStatement()) {
      assertThat(count(c, "SELECT count(*) FROM customers")).isEqualTo(50);
      assertThat(count(c, "SELECT count(*) FROM customers WHERE name = 'test user'")).isZero();
      assertThat(count(c, "SELECT count(*) FROM pg_tables WHERE tablename = 'staging_only'"))
          .isZero();
      var rs = st.executeQuery("SELECT tableowner FROM pg_tables WHERE tablename = 'customers'");
      rs.next();
      assertThat(rs.getString(1))
          .isEqualTo(world.owner(staging)); // staging's owner role owns what was restored
    }
    try (Connection c = world.connect(prod)) {
      assertThat(count(c, "SELECT count(*) FROM customers")).isEqualTo(51);
    }
  }

  @Test
  void whatARestoreMakesBelongsToTheOwnerRoleAndServesACredentialAddedLater() throws Exception {
    var t = world.tenant(Map.of(), "production");
    String prod = t.resourceByEnv().get("production");
    try (Connection c = world.connect(prod);
        var st = c.createStatement()) {
      st.execute("CREATE TABLE invoices (id serial PRIMARY KEY, total int)");
      st.execute("INSERT INTO invoices (total) VALUES (5), (6)");
    }
    Backup backup = world.backups.requestBackup(world.row(prod));
    world.drain();
    String op =
        world.backups.requestRestore(
            world.backups.find(backup.id()).orElseThrow(), world.row(prod));
    world.drain();
    assertThat(world.operation(op).state()).isEqualTo("succeeded");

    var context =
        new dev.miosa.data.provisioner.resource.StoredResourceContext(
            world.row(prod), world.resources, world.cipher, null);
    String next = world.provider.addNextCredentials(context).get("next.user");
    String password = context.existingSecret("next.password").orElseThrow().reveal();
    try (Connection c =
            java.sql.DriverManager.getConnection(
                world.pg.jdbcUrl(dev.miosa.data.postgres.PostgresProvider.nameFor(prod)),
                next,
                password);
        var st = c.createStatement()) {
      st.execute("INSERT INTO invoices (total) VALUES (7)"); // the restored sequence too
      assertThat(count(c, "SELECT count(*) FROM invoices")).isEqualTo(3);
      var rs = st.executeQuery("SELECT tableowner FROM pg_tables WHERE tablename = 'invoices'");
      rs.next();
      assertThat(rs.getString(1)).isEqualTo(world.owner(prod));
    }
  }

  @Test
  void anArchiveWhoseChecksumDoesNotMatchIsRefusedAndTheTargetIsUnchanged() throws Exception {
    var t = world.tenant(Map.of(), "production");
    String prod = t.resourceByEnv().get("production");
    try (Connection c = world.connect(prod);
        var st = c.createStatement()) {
      st.execute("CREATE TABLE kept (x int)");
      st.execute("INSERT INTO kept VALUES (1), (2)");
    }
    Backup backup = world.backups.requestBackup(world.row(prod));
    world.drain();
    backup = world.backups.find(backup.id()).orElseThrow();
    // Tamper with the stored archive: still a valid archive, but not the one recorded.
    try (Connection c = world.connect(prod);
        var st = c.createStatement()) {
      st.execute("INSERT INTO kept VALUES (3)");
    }
    Backup other = world.backups.requestBackup(world.row(prod));
    world.drain();
    other = world.backups.find(other.id()).orElseThrow();
    try (InputStream in = world.objects.download(other.objectKey())) {
      world.objects.upload(backup.objectKey(), new ByteArrayInputStream(in.readAllBytes()));
    }
    try (Connection c = world.connect(prod);
        var st = c.createStatement()) {
      st.execute("INSERT INTO kept VALUES (4)");
    }

    String op = world.backups.requestRestore(backup, world.row(prod));
    world.drain();
    var failed = world.operation(op);
    assertThat(failed.state()).isEqualTo("failed");
    assertThat(failed.errorCode()).isEqualTo("RESTORE_FAILED");
    assertThat(failed.error()).contains("SHA-256");
    assertThat(failed.attempts()).isEqualTo(1); // not retried: a corrupt archive stays corrupt
    try (Connection c = world.connect(prod)) {
      assertThat(count(c, "SELECT count(*) FROM kept")).isEqualTo(4);
    }
  }

  @Test
  void retentionKeepsTheNewestBackupsOfEachEnvironment() throws Exception {
    var t = world.tenant(Map.of("backupRetention", 2), "production");
    String prod = t.resourceByEnv().get("production");
    Backup first = world.backups.requestBackup(world.row(prod));
    world.drain();
    Backup second = world.backups.requestBackup(world.row(prod));
    world.drain();
    Backup third = world.backups.requestBackup(world.row(prod));
    world.drain();
    assertThat(world.backups.list(t.serviceId(), "production"))
        .extracting(Backup::id)
        .containsExactly(third.id(), second.id());
    assertThat(world.backups.find(first.id())).isEmpty();
    assertThatThrownBy(() -> world.objects.download(first.objectKey()).readAllBytes())
        .isInstanceOf(Exception.class);
  }

  @Test
  void backupsOfADeletedDatabaseOutliveItForTheRetentionWindowThenGo() throws Exception {
    var t = world.tenant(Map.of(), "production");
    String prod = t.resourceByEnv().get("production");
    try (Connection c = world.connect(prod);
        var st = c.createStatement()) {
      st.execute("CREATE TABLE precious (x int)");
      st.execute("INSERT INTO precious VALUES (42)");
    }
    Backup backup = world.backups.requestBackup(world.row(prod));
    world.drain();
    world.provider.deprovision(
        new dev.miosa.data.provisioner.resource.StoredResourceContext(
            world.row(prod), world.resources, world.cipher, null));
    world.resources.setPhase(prod, "deleted", null);

    world.backups.expire();
    Backup kept = world.backups.find(backup.id()).orElseThrow();
    assertThat(kept.expiresAt()).isAfter(java.time.Instant.now().plus(Duration.ofDays(6)));

    // Brought back: a new database of the same project gets the deleted one's rows.
    var revived = world.tenant(Map.of(), "production");
    String newProd = revived.resourceByEnv().get("production");
    world.backups.requestRestore(kept, world.row(newProd));
    world.drain();
    try (Connection c = world.connect(newProd)) {
      assertThat(count(c, "SELECT x FROM precious")).isEqualTo(42);
    }

    // Once the window has passed, the backup and its archive are gone.
    world
        .jdbc
        .sql("UPDATE postgres_backups SET expires_at = now() - interval '1 second' WHERE id = :id")
        .param("id", backup.id())
        .update();
    assertThat(world.backups.expire()).isGreaterThanOrEqualTo(1);
    assertThat(world.backups.find(backup.id())).isEmpty();
    assertThatThrownBy(() -> world.objects.download(kept.objectKey()).readAllBytes())
        .isInstanceOf(Exception.class);
  }

  @Test
  void onlySucceededBackupsOfReadyDatabasesCanBeRestored() {
    var t = world.tenant(Map.of(), "production");
    String prod = t.resourceByEnv().get("production");
    Backup pending = world.backups.requestBackup(world.row(prod));
    assertThatThrownBy(() -> world.backups.requestRestore(pending, world.row(prod)))
        .isInstanceOf(MiosaException.class)
        .extracting("code")
        .isEqualTo(ErrorCode.BACKUP_NOT_READY);
    world.resources.setPhase(prod, "provisioning", null);
    assertThatThrownBy(() -> world.backups.requestBackup(world.row(prod)))
        .isInstanceOf(MiosaException.class)
        .extracting("code")
        .isEqualTo(ErrorCode.DATABASE_NOT_READY);
    world.resources.setPhase(prod, "ready", null);
    world.drain();
  }
}
