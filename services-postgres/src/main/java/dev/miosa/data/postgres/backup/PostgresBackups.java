package dev.miosa.data.postgres.backup;

import dev.miosa.data.postgres.PgTools;
import dev.miosa.data.postgres.PostgresConfig;
import dev.miosa.data.postgres.PostgresProvider;
import dev.miosa.data.process.Cancellation;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.resource.ResourceRow;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.provisioner.spi.OperationHandler;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ResourceContext;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Backups and restores of Postgres data services: asks for them (a {@code postgres_backups} row and
 * a durable operation, in one transaction), runs them from the operation queue, keeps the newest
 * {@code backupRetention} per environment, and deletes the backups of deleted databases once their
 * retention window has passed.
 *
 * <p>Invariants: see DESIGN.md beside this file.
 */
public final class PostgresBackups {

  private static final Logger log = LoggerFactory.getLogger(PostgresBackups.class);

  /** Operation type of a backup. */
  public static final String BACKUP_OPERATION = "postgres.backup";

  /** Operation type of a restore. */
  public static final String RESTORE_OPERATION = "postgres.restore";

  /**
   * Tuning.
   *
   * @param maxAttempts attempts of a backup or restore operation
   * @param deletedRetention how long backups outlive their deleted database
   */
  public record Settings(int maxAttempts, Duration deletedRetention) {}

  private final BackupStore backups;
  private final OperationStore operations;
  private final TransactionTemplate tx;
  private final PgArchives archives;
  private final BackupObjectStore objects;
  private final PostgresProvider provider;
  private final Settings settings;

  /**
   * @param controlPlane the control-plane store (the same one the operation store writes to)
   * @param operations the operation queue
   * @param objects the platform bucket
   * @param tools pg_dump, pg_restore and psql
   * @param provider the Postgres provider (for each resource's direct connection)
   * @param settings tuning
   */
  public PostgresBackups(
      DataSource controlPlane,
      OperationStore operations,
      BackupObjectStore objects,
      PgTools tools,
      PostgresProvider provider,
      Settings settings) {
    this.backups = new BackupStore(controlPlane);
    this.operations = operations;
    this.tx = new TransactionTemplate(new DataSourceTransactionManager(controlPlane));
    this.objects = objects;
    this.archives = new PgArchives(tools, objects);
    this.provider = provider;
    this.settings = settings;
  }

  /** The handler of {@value #BACKUP_OPERATION} operations. */
  public OperationHandler backupHandler() {
    return new Handler(BACKUP_OPERATION, this::runBackup);
  }

  /** The handler of {@value #RESTORE_OPERATION} operations. */
  public OperationHandler restoreHandler() {
    return new Handler(RESTORE_OPERATION, this::runRestore);
  }

  /**
   * Asks for an on-demand backup of a ready database.
   *
   * @param resource the database's resource
   * @return the pending backup, its operation id set
   * @throws MiosaException {@code DATABASE_NOT_READY}
   */
  public Backup requestBackup(ResourceRow resource) {
    requireReady(resource, "backed up");
    BackupStore.Source src = sourceOf(resource);
    String id =
        tx.execute(
            status -> {
              String backupId = backups.insert(src, "manual", null).orElseThrow();
              enqueueBackup(src, backupId);
              return backupId;
            });
    return backups.find(id).orElseThrow();
  }

  /**
   * Asks for a scheduled backup due at {@code dueAt}, unless one was already asked for (by this or
   * another replica).
   *
   * @return the new backup's id, or empty when the due time already has one
   */
  Optional<String> requestScheduled(BackupStore.Source src, Instant dueAt) {
    return tx.execute(
        status -> {
          Optional<String> id = backups.insert(src, "scheduled", dueAt);
          id.ifPresent(backupId -> enqueueBackup(src, backupId));
          return id;
        });
  }

  private void enqueueBackup(BackupStore.Source src, String backupId) {
    String op =
        operations.enqueue(
            BACKUP_OPERATION,
            src.projectId(),
            src.serviceId(),
            src.environmentId(),
            Map.of("resourceId", src.resourceId(), "backupId", backupId),
            settings.maxAttempts());
    backups.setOperation(backupId, op);
  }

  /**
   * Asks for a restore of a backup into a database (of the same project; any environment).
   *
   * @param backup a succeeded backup
   * @param target the database to replace
   * @return the restore operation's id
   * @throws MiosaException {@code BACKUP_NOT_READY}, {@code DATABASE_NOT_READY}
   */
  public String requestRestore(Backup backup, ResourceRow target) {
    if (!backup.restorable()) {
      throw new MiosaException(
          ErrorCode.BACKUP_NOT_READY,
          "backup "
              + backup.id()
              + " is "
              + backup.state()
              + "; only a succeeded backup can be restored");
    }
    requireReady(target, "restored into");
    return operations.enqueue(
        RESTORE_OPERATION,
        target.projectId(),
        target.serviceId(),
        target.environmentId(),
        Map.of("resourceId", target.id(), "backupId", backup.id()),
        settings.maxAttempts());
  }

  /** A backup by id. */
  public Optional<Backup> find(String id) {
    return backups.find(id);
  }

  /** Backups of a data service, newest first, optionally of one environment (by name). */
  public List<Backup> list(String serviceId, String environmentNameOrNull) {
    return backups.list(serviceId, environmentNameOrNull);
  }

  /** Whether a project holds backups of a data service, also of one deleted since. */
  public boolean hasBackups(String projectId, String serviceId) {
    return backups.anyOfService(projectId, serviceId);
  }

  void runBackup(String operationId, ResourceContext resource, Map<String, Object> params) {
    String backupId = String.valueOf(params.get("backupId"));
    Backup backup =
        backups
            .find(backupId)
            .orElseThrow(
                () ->
                    new ProvisioningException(
                        "BACKUP_NOT_FOUND", "backup " + backupId + " not found", false, null));
    if (backup.restorable()) {
      return; // an earlier attempt finished it
    }
    backups.markRunning(backupId, operationId);
    try {
      BackupObjectStore.Stored stored =
          archives.dump(provider.directTarget(resource), backup.objectKey());
      Cancellation.current().checkpoint(); // stopped: the new owner of the operation records it
      backups.markSucceeded(backupId, stored.sizeBytes(), stored.sha256());
      log.info(
          "backup {} of {} ({}): {} bytes, sha256 {}",
          backupId,
          resource.resourceId(),
          resource.environmentName(),
          stored.sizeBytes(),
          stored.sha256());
    } catch (IOException | RuntimeException e) {
      Cancellation.current().checkpoint();
      String message = "backup failed: " + e.getMessage();
      backups.markFailed(backupId, message);
      throw new ProvisioningException("BACKUP_FAILED", message, true, e);
    }
    applyRetention(resource);
  }

  void runRestore(String operationId, ResourceContext target, Map<String, Object> params) {
    String backupId = String.valueOf(params.get("backupId"));
    Backup backup =
        backups
            .find(backupId)
            .filter(Backup::restorable)
            .orElseThrow(
                () ->
                    new ProvisioningException(
                        "BACKUP_NOT_READY",
                        "backup " + backupId + " is not there to restore",
                        false,
                        null));
    try {
      archives.restore(backup.objectKey(), backup.sha256(), provider.directTarget(target));
      log.info(
          "backup {} restored into {} ({})",
          backupId,
          target.resourceId(),
          target.environmentName());
    } catch (IOException e) {
      boolean corrupt = e.getMessage() != null && e.getMessage().contains("SHA-256");
      throw new ProvisioningException(
          "RESTORE_FAILED", "restore failed: " + e.getMessage(), !corrupt, e);
    }
  }

  private void applyRetention(ResourceContext resource) {
    int keep = PostgresConfig.from(resource.config()).backupRetention();
    for (Backup old : backups.beyondRetention(resource.resourceId(), keep)) {
      try {
        objects.delete(old.objectKey());
        backups.delete(old.id());
        log.info("backup {} deleted (retention keeps {})", old.id(), keep);
      } catch (IOException e) {
        log.warn("could not delete backup {} beyond retention: {}", old.id(), e.getMessage());
      }
    }
  }

  /**
   * Starts the retention window of the backups of deleted databases and deletes those whose window
   * has passed.
   *
   * @return how many backups were deleted
   */
  public int expire() {
    int started = backups.startExpiryOfOrphans(settings.deletedRetention());
    if (started > 0) {
      log.info(
          "{} backups of deleted databases are kept for {}", started, settings.deletedRetention());
    }
    int deleted = 0;
    for (Backup b : backups.expired()) {
      try {
        objects.delete(b.objectKey());
        backups.delete(b.id());
        deleted++;
      } catch (IOException e) {
        log.warn("could not delete expired backup {}: {}", b.id(), e.getMessage());
      }
    }
    return deleted;
  }

  private static void requireReady(ResourceRow r, String what) {
    if (!"postgres".equals(r.serviceType())
        || !"ready".equals(r.phase())
        || !"present".equals(r.desired())) {
      throw new MiosaException(
          ErrorCode.DATABASE_NOT_READY,
          "the database of environment '"
              + r.environmentName()
              + "' is "
              + r.phase()
              + " and cannot be "
              + what
              + " now");
    }
  }

  private static BackupStore.Source sourceOf(ResourceRow r) {
    return new BackupStore.Source(
        r.projectId(), r.serviceId(), r.id(), r.environmentId(), r.environmentName());
  }

  /** An operation handler delegating to one method. */
  private record Handler(String operationType, Body body) implements OperationHandler {
    interface Body {
      void run(String operationId, ResourceContext resource, Map<String, Object> params);
    }

    @Override
    public void execute(String operationId, ResourceContext resource, Map<String, Object> params) {
      body.run(operationId, resource, params);
    }
  }
}
