package dev.miosa.data.api.config;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.miosa.data.api.runtime.VariablesCache;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.LocalProcesses;
import dev.miosa.data.postgres.PostgresServer;
import dev.miosa.data.provisioner.ProviderRegistry;
import dev.miosa.data.provisioner.Reconciler;
import dev.miosa.data.provisioner.VariablesResolver;
import dev.miosa.data.provisioner.event.EventPublisher;
import dev.miosa.data.provisioner.event.ServicePhases;
import dev.miosa.data.provisioner.operation.OperationExecutor;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.operation.OperationWorker;
import dev.miosa.data.provisioner.operation.WorkerSettings;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.rotation.CredentialRotations;
import dev.miosa.data.provisioner.spi.OperationHandler;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Wires the control plane's store, secrets and operation machinery. */
@Configuration(proxyBeanMethods = false)
public class ControlPlaneConfig {

  private static final Logger log = LoggerFactory.getLogger(ControlPlaneConfig.class);

  @Bean
  EmbeddedServers embeddedServers(MiosaProperties props) {
    // The data directory is created by the first embedded server that needs it, so a service
    // with every server configured never writes one.
    return new EmbeddedServers(props.dataDir());
  }

  @Bean
  DataSource dataSource(MiosaProperties props, EmbeddedServers embedded) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("control-plane");
    hc.setMaximumPoolSize(20);
    // While the store is down (restarting), a request waits at most this long for a connection,
    // then fails (503 with Retry-After), instead of Hikari's default 30 s.
    hc.setConnectionTimeout(5_000);
    if (props.embeddedStore()) {
      LocalPostgres pg = embedded.controlPlanePostgres();
      try {
        pg.createDatabaseIfAbsent("miosa");
      } catch (SQLException e) {
        throw new IllegalStateException("could not create the control-plane database", e);
      }
      hc.setJdbcUrl(pg.jdbcUrl("miosa"));
      hc.setUsername(LocalPostgres.SUPERUSER);
      hc.setPassword(pg.superuserPassword().reveal());
      log.info(
          "embedded control-plane store: PostgreSQL on {}:{} under {}",
          pg.host(),
          pg.port(),
          embedded.dataDir());
    } else {
      String url = props.databaseUrl().trim();
      if (url.startsWith("jdbc:")) {
        hc.setJdbcUrl(url);
      } else {
        PostgresServer s = PostgresServer.parse("control-plane", url);
        hc.setJdbcUrl(s.adminJdbcUrl(s.adminDatabase()));
        hc.setUsername(s.adminUser());
        hc.setPassword(s.adminPassword().reveal());
      }
    }
    return new HikariDataSource(hc);
  }

  @Bean
  SecretCipher secretCipher(MiosaProperties props) {
    if (props.masterKey() != null && !props.masterKey().isBlank()) {
      try {
        return SecretCipher.fromBase64(props.masterKey());
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(
            "MIOSA_MASTER_KEY is invalid: "
                + e.getMessage()
                + " (give base64 of 32 random bytes, e.g. `openssl rand -base64 32`)");
      }
    }
    if (!props.embeddedStore()) {
      throw new IllegalStateException(
          "MIOSA_MASTER_KEY must be set when MIOSA_DATABASE_URL is: every replica needs the same key"
              + " (base64 of 32 random bytes, e.g. `openssl rand -base64 32`)");
    }
    Path file = props.dataDir().resolve("master.key");
    try {
      if (!Files.exists(file)) {
        LocalProcesses.writePrivate(file, SecretCipher.generateKeyBase64());
        log.info(
            "generated a master key at {} (mode 0600); set MIOSA_MASTER_KEY in production",
            file.toAbsolutePath());
      }
      return SecretCipher.fromBase64(Files.readString(file));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read or write " + file, e);
    }
  }

  @Bean
  JdbcClient jdbcClient(DataSource dataSource) {
    return JdbcClient.create(dataSource);
  }

  @Bean
  OperationStore operationStore(
      JdbcClient jdbc,
      JsonMapper json,
      PlatformTransactionManager transactions,
      EventPublisher events) {
    // An operation's outcome and its events (operation.*, backup.*) commit together.
    return new OperationStore(jdbc, json, new TransactionTemplate(transactions), events);
  }

  @Bean
  ResourceStore resourceStore(JdbcClient jdbc, JsonMapper json) {
    return new ResourceStore(jdbc, json);
  }

  @Bean
  ProviderRegistry providerRegistry(
      List<ServiceProvider> providers, List<OperationHandler> handlers) {
    ProviderRegistry registry = new ProviderRegistry(providers, handlers);
    log.info("data service types served: {}", registry.types());
    return registry;
  }

  @Bean
  VariablesResolver variablesResolver(
      ProviderRegistry registry, ResourceStore resources, SecretCipher cipher) {
    return new VariablesResolver(registry, resources, cipher);
  }

  @Bean
  Reconciler reconciler(
      ProviderRegistry registry,
      ResourceStore resources,
      SecretCipher cipher,
      JdbcClient jdbc,
      VariablesCache cache,
      ServicePhases phases) {
    return new Reconciler(registry, resources, cipher, jdbc, cache::invalidate, phases);
  }

  @Bean
  WorkerSettings workerSettings(MiosaProperties props) {
    var w = props.worker();
    return new WorkerSettings(
        w.threads(), w.pollInterval(), w.lease(), w.backoffBase(), w.backoffMax(), w.maxAttempts());
  }

  @Bean(destroyMethod = "close")
  OperationWorker operationWorker(
      OperationStore store,
      Reconciler reconciler,
      CredentialRotations rotations,
      WorkerSettings settings,
      DataSource controlPlane) {
    // Rotations have their own executor; everything else is reconciled.
    OperationExecutor executor =
        op -> (CredentialRotations.handles(op.type()) ? rotations : reconciler).execute(op);
    // LISTENs on the control-plane store, so operations enqueued by other replicas start at once.
    return new OperationWorker(store, executor, settings, controlPlane);
  }
}
