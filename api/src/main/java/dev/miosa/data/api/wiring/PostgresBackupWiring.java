package dev.miosa.data.api.wiring;

import dev.miosa.data.api.config.PostgresBackupProperties;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.postgres.PostgresProvider;
import dev.miosa.data.postgres.backup.BackupObjectStore;
import dev.miosa.data.postgres.backup.BackupScheduler;
import dev.miosa.data.postgres.backup.PostgresBackups;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.spi.OperationHandler;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.storage.StorageBackends;
import dev.miosa.data.storage.StorageServer;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * Wires Postgres backups: the platform bucket (on its own store, or on the object store of storage
 * data services), the operation handlers of {@code postgres.backup} and {@code postgres.restore},
 * and the scheduler, started once the application is ready.
 */
@Configuration(proxyBeanMethods = false)
public class PostgresBackupWiring {

  private static final Logger log = LoggerFactory.getLogger(PostgresBackupWiring.class);

  /**
   * Backups, when this server can take them.
   *
   * @param backups the backups, or empty
   * @param unavailable why not, or null
   */
  public record Backups(Optional<PostgresBackups> backups, String unavailable) {

    /** The backups, or a {@code BACKUPS_UNAVAILABLE} failure saying why there are none. */
    public PostgresBackups require() {
      return backups.orElseThrow(
          () -> new ProvisioningException("BACKUPS_UNAVAILABLE", unavailable, false, null));
    }
  }

  @Bean
  Backups postgresBackups(
      PostgresBackupProperties props,
      PostgresWiring.PostgresTools tools,
      ObjectProvider<StorageBackends> storage,
      DataSource dataSource,
      OperationStore operations,
      PostgresProvider provider,
      dev.miosa.data.api.config.MiosaProperties miosa) {
    if (!props.enabled()) {
      return new Backups(
          Optional.empty(),
          "Postgres backups are turned off (MIOSA_POSTGRES_BACKUPS_ENABLED=false)");
    }
    if (tools.tools().isEmpty()) {
      return new Backups(
          Optional.empty(), "Postgres backups need pg_dump and pg_restore: " + tools.missing());
    }
    BackupObjectStore bucket = bucket(props, storage);
    if (bucket == null) {
      return new Backups(
          Optional.empty(),
          "Postgres backups need an object store (MIOSA_POSTGRES_BACKUPS_URL or MIOSA_STORAGE_URL)");
    }
    log.info("Postgres backups go to {}", bucket);
    return new Backups(
        Optional.of(
            new PostgresBackups(
                dataSource,
                operations,
                bucket,
                tools.tools().get(),
                provider,
                new PostgresBackups.Settings(
                    miosa.worker().maxAttempts(), props.deletedRetention()))),
        null);
  }

  private static BackupObjectStore bucket(
      PostgresBackupProperties props, ObjectProvider<StorageBackends> storage) {
    if (props.url() != null && !props.url().isBlank()) {
      if (props.accessKey() == null || props.secretKey() == null) {
        throw new IllegalStateException(
            "MIOSA_POSTGRES_BACKUPS_ACCESS_KEY and MIOSA_POSTGRES_BACKUPS_SECRET_KEY must be set with MIOSA_POSTGRES_BACKUPS_URL");
      }
      return new BackupObjectStore(
          URI.create(props.url().trim()),
          props.region(),
          props.accessKey(),
          Secret.of(props.secretKey()),
          props.bucket());
    }
    StorageBackends backends = storage.getIfAvailable();
    if (backends == null || backends.ids().isEmpty()) {
      return null;
    }
    StorageServer s = backends.get(backends.ids().get(0)).server();
    return new BackupObjectStore(
        s.endpoint(), s.region(), s.accessKey(), s.secretKey(), props.bucket());
  }

  @Bean
  OperationHandler postgresBackupHandler(Backups backups) {
    return new Delegating(
        PostgresBackups.BACKUP_OPERATION, backups, PostgresBackups::backupHandler);
  }

  @Bean
  OperationHandler postgresRestoreHandler(Backups backups) {
    return new Delegating(
        PostgresBackups.RESTORE_OPERATION, backups, PostgresBackups::restoreHandler);
  }

  /** A handler that fails at once, saying why, when this server cannot take backups. */
  record Delegating(
      String operationType, Backups backups, Function<PostgresBackups, OperationHandler> handler)
      implements OperationHandler {
    @Override
    public void execute(String operationId, ResourceContext resource, Map<String, Object> params) {
      handler.apply(backups.require()).execute(operationId, resource, params);
    }
  }

  @Bean
  SchedulerStarter postgresBackupScheduler(
      Backups backups, DataSource dataSource, PostgresBackupProperties props) {
    return new SchedulerStarter(backups, dataSource, props);
  }

  /** Starts the backup scheduler when the application is ready; stops it on shutdown. */
  static final class SchedulerStarter implements DisposableBean {
    private final Backups backups;
    private final DataSource dataSource;
    private final PostgresBackupProperties props;
    private BackupScheduler scheduler;

    SchedulerStarter(Backups backups, DataSource dataSource, PostgresBackupProperties props) {
      this.backups = backups;
      this.dataSource = dataSource;
      this.props = props;
    }

    @EventListener(ApplicationReadyEvent.class)
    synchronized void start() {
      if (backups.backups().isEmpty() || scheduler != null) {
        if (backups.backups().isEmpty()) {
          log.warn("{}", backups.unavailable());
        }
        return;
      }
      scheduler = new BackupScheduler(dataSource, backups.backups().get());
      scheduler.start(props.schedulerInterval());
    }

    @Override
    public synchronized void destroy() {
      if (scheduler != null) {
        scheduler.close();
      }
    }
  }
}
