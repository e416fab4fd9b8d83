package dev.miosa.data.postgres.backup;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.LocalS3Proxy;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.postgres.PgTools;
import dev.miosa.data.postgres.PostgresProvider;
import dev.miosa.data.postgres.TestPostgresServers;
import dev.miosa.data.postgres.TestResources;
import dev.miosa.data.provisioner.ProviderRegistry;
import dev.miosa.data.provisioner.Reconciler;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.resource.ResourceRow;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.resource.StoredResourceContext;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * A control plane in miniature for backup tests: a migrated control-plane database, the real
 * operation queue and reconciler, the Postgres provider on the test PostgreSQL, and a platform
 * bucket on S3Proxy. Projects, environments and data services are inserted as the api would.
 */
final class BackupWorld {

  final TestResources records = new TestResources("backups");
  final DataSource controlPlane = records.controlPlane;
  final JdbcClient jdbc = records.jdbc;
  final JsonMapper json = records.json;
  final SecretCipher cipher = records.cipher;
  final ResourceStore resources = records.resources;
  final OperationStore operations = new OperationStore(jdbc, json);
  final LocalPostgres pg;
  final PostgresProvider provider;
  final LocalS3Proxy s3;
  final BackupObjectStore objects;
  final PostgresBackups backups;
  final Reconciler reconciler;

  /** A world on the shared test PostgreSQL and object store. */
  BackupWorld() {
    this(TestServers.s3proxy(), TestServers.postgres());
  }

  /**
   * A world on servers a test may stop and start again.
   *
   * @param s3 the object store of the backups
   * @param pg the tenant PostgreSQL server
   */
  BackupWorld(LocalS3Proxy s3, LocalPostgres pg) {
    this.s3 = s3;
    this.pg = pg;
    this.provider = new PostgresProvider(List.of(TestPostgresServers.of("pg-1", pg)));
    this.objects =
        new BackupObjectStore(
            s3.endpoint(),
            LocalS3Proxy.REGION,
            s3.accessKey(),
            s3.secretKey(),
            "miosa-test-backups-" + Long.toString(System.nanoTime(), 36));
    this.backups = backups(Duration.ofDays(7));
    this.reconciler =
        new Reconciler(
            new ProviderRegistry(
                List.of(provider), List.of(backups.backupHandler(), backups.restoreHandler())),
            resources,
            cipher,
            jdbc,
            env -> {});
  }

  PostgresBackups backups(Duration deletedRetention) {
    return new PostgresBackups(
        controlPlane,
        operations,
        objects,
        PgTools.locate(null),
        provider,
        new PostgresBackups.Settings(2, deletedRetention));
  }

  /** A project with the given environments and a postgres data service provisioned in each. */
  record Tenant(String projectId, String serviceId, Map<String, String> resourceByEnv) {}

  Tenant tenant(Map<String, Object> config, String... envs) {
    Tenant t = records(config, envs);
    for (String res : t.resourceByEnv().values()) {
      ResourceRow row = resources.find(res).orElseThrow();
      var result = provider.provision(new StoredResourceContext(row, resources, cipher, null));
      resources.mergeAttributes(res, result.attributes());
      resources.setPhase(res, "ready", null);
    }
    return t;
  }

  /**
   * A project with the given environments and a postgres data service to be provisioned, as the
   * api's attach leaves them: the records and the provision operation (not run yet).
   *
   * @return the tenant and the operation's id
   */
  Map.Entry<Tenant, String> attach(int maxAttempts, String... envs) {
    Tenant t = records(Map.of(), envs);
    String op =
        operations.enqueue(
            Operation.PROVISION, t.projectId(), t.serviceId(), null, Map.of(), maxAttempts);
    return Map.entry(t, op);
  }

  private Tenant records(Map<String, Object> config, String... envs) {
    TestResources.Service s = records.service(provider.validateConfig(config), envs);
    return new Tenant(s.projectId(), s.serviceId(), s.resourceByEnv());
  }

  ResourceRow row(String resourceId) {
    return resources.find(resourceId).orElseThrow();
  }

  /** The tenant's own direct connection (what DATABASE_URL_UNPOOLED gives it). */
  Connection connect(String resourceId) throws SQLException {
    var vars =
        provider.variables(new StoredResourceContext(row(resourceId), resources, cipher, null));
    return DriverManager.getConnection(vars.get("JDBC_DATABASE_URL"));
  }

  /** The role that owns the database of a resource and everything in it. */
  String owner(String resourceId) {
    return PostgresProvider.nameFor(resourceId) + "_owner";
  }

  /** Runs queued operations until none is due, as a worker would; returns them as finished. */
  List<Operation> drain() {
    List<Operation> done = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Optional<Operation> op = operations.claim("test-worker", Duration.ofMinutes(5));
      if (op.isEmpty()) {
        break;
      }
      try {
        reconciler.execute(op.get());
        operations.succeed(op.get().id(), "test-worker");
      } catch (RuntimeException e) {
        boolean retryable =
            !(e instanceof dev.miosa.data.provisioner.spi.ProvisioningException pe)
                || pe.retryable();
        String code =
            e instanceof dev.miosa.data.provisioner.spi.ProvisioningException pe
                ? pe.code()
                : "ERROR";
        operations.fail(
            op.get().id(), "test-worker", code, e.getMessage(), Duration.ZERO, retryable);
      }
      done.add(operations.find(op.get().id()).orElseThrow());
    }
    return done;
  }

  Operation operation(String id) {
    return operations.find(id).orElseThrow();
  }

  static int count(Connection c, String sql) throws SQLException {
    try (var st = c.createStatement();
        var rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
