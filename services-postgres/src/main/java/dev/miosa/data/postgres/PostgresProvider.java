package dev.miosa.data.postgres;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.postgres.pooler.PgBouncerRegistry;
import dev.miosa.data.postgres.pooler.PoolerEntry;
import dev.miosa.data.postgres.pooler.Scram;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Managed Postgres: for each environment a login role and a database it owns on a tenant server.
 *
 * <p>Invariants (see DESIGN.md beside this file): names come from the resource id only; the role is
 * never superuser, never creates roles or databases; {@code CONNECT} is revoked from {@code PUBLIC}
 * on every database of the server; passwords are sent as SCRAM-SHA-256 verifiers computed
 * client-side, never as plain text. The DDL itself (pooled admin connections, the tenant template,
 * the isolation sweep, drops) is {@link TenantDdl}'s; this class adapts it to the provider SPI.
 * With a PgBouncer: a database is ready only after a login through it worked, and it is removed
 * from PgBouncer before it is dropped.
 */
public final class PostgresProvider implements ServiceProvider, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PostgresProvider.class);

  /** Attribute: the database name. */
  public static final String ATTR_DATABASE = "database";

  /** Attribute: the role name. */
  public static final String ATTR_ROLE = "role";

  /** Secret: the role's SCRAM-SHA-256 verifier, set on the server and in PgBouncer's auth file. */
  public static final String SECRET_SCRAM = "scramVerifier";

  private final Map<String, PostgresServer> servers;
  private final Supplier<Secret> passwordGenerator;
  private final PgBouncerRegistry pooler;
  private final TenantDdl ddl = new TenantDdl();
  private final ExecutorService background =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "miosa-pgbouncer-register");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param servers the tenant servers, at least one
   * @param passwordGenerator makes new role passwords (at least 32 characters)
   * @param pooler the PgBouncer that {@code DATABASE_URL} goes through, or null for direct URLs
   */
  public PostgresProvider(
      List<PostgresServer> servers, Supplier<Secret> passwordGenerator, PgBouncerRegistry pooler) {
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("at least one tenant Postgres server is needed");
    }
    this.servers = new LinkedHashMap<>();
    servers.forEach(s -> this.servers.put(s.id(), s));
    this.passwordGenerator = passwordGenerator;
    this.pooler = pooler;
  }

  /**
   * A provider without a pooler.
   *
   * @param servers the tenant servers, at least one
   * @param passwordGenerator makes new role passwords (at least 32 characters)
   */
  public PostgresProvider(List<PostgresServer> servers, Supplier<Secret> passwordGenerator) {
    this(servers, passwordGenerator, null);
  }

  /** A provider with random 40-character alphanumeric passwords. */
  public PostgresProvider(List<PostgresServer> servers) {
    this(servers, () -> Passwords.alphanumeric(40), null);
  }

  @Override
  public String type() {
    return "postgres";
  }

  @Override
  public List<String> backends() {
    return List.copyOf(servers.keySet());
  }

  /**
   * The tenant servers, for health checks.
   *
   * @return every configured server
   */
  public List<PostgresServer> servers() {
    return List.copyOf(servers.values());
  }

  /**
   * The PgBouncer that {@code DATABASE_URL} goes through.
   *
   * @return its registry, or empty when tenants connect directly
   */
  public java.util.Optional<PgBouncerRegistry> pooler() {
    return java.util.Optional.ofNullable(pooler);
  }

  @Override
  public Map<String, Object> validateConfig(Map<String, Object> config) {
    return PostgresConfig.from(config).toMap();
  }

  /**
   * The role and database name of a resource: {@code t_} and the random part of its id (22 bytes,
   * well under PostgreSQL's 63-byte identifier limit; plain lowercase, so never quoted).
   *
   * @param resourceId the resource id ({@code res_<20 chars>})
   * @return the name
   */
  public static String nameFor(String resourceId) {
    String random = resourceId.substring(resourceId.indexOf('_') + 1);
    if (!random.matches("[a-z0-9]{8,40}")) {
      throw new IllegalArgumentException("unexpected resource id shape");
    }
    return "t_" + random;
  }

  @Override
  public ProvisionResult provision(ResourceContext resource) {
    PostgresServer server = server(resource.backend());
    PostgresConfig plan = PostgresConfig.from(resource.config());
    String name = nameFor(resource.resourceId());
    Secret password = resource.secret("password", passwordGenerator);
    // Computed once and stored: the server and PgBouncer's auth file must hold the same verifier.
    Secret verifier = resource.secret(SECRET_SCRAM, () -> Scram.verifier(password));
    // PgBouncer's files are rewritten while the server creates the database: an entry for a
    // database not yet there harms no one (nobody has its credentials before it is ready, and
    // PgBouncer opens server connections only for clients), and the rewrite then costs no time.
    CompletableFuture<Void> registered =
        pooler == null
            ? CompletableFuture.completedFuture(null)
            : CompletableFuture.runAsync(
                withMdc(
                    () ->
                        pooler.register(
                            resource.resourceId(),
                            new PoolerEntry(
                                name,
                                name,
                                server.host(),
                                server.port(),
                                plan.poolMode(),
                                plan.poolSize(),
                                plan.maxClientConnections(),
                                verifier))),
                background);
    boolean created = false;
    try (Connection admin = ddl.admin(server)) {
      created |= ddl.ensureRole(admin, name, verifier, plan.connectionLimit());
      created |= ddl.ensureDatabase(server, admin, name);
      ddl.isolate(admin, name);
    } catch (SQLException e) {
      awaitQuietly(registered); // the attempt ends with nothing of it still running
      throw failure("create the role and database", e);
    } catch (RuntimeException e) {
      awaitQuietly(registered);
      throw e;
    }
    if (pooler != null) {
      await(registered);
      pooler.verifyLogin(name, name, password);
    }
    return new ProvisionResult(
        created ? ProvisionResult.Action.CREATED : ProvisionResult.Action.UPDATED,
        Map.of(ATTR_DATABASE, name, ATTR_ROLE, name));
  }

  @Override
  public void deprovision(ResourceContext resource) {
    PostgresServer server = server(resource.backend());
    String name = nameFor(resource.resourceId());
    if (pooler != null) {
      // Before the drop: PgBouncer then holds no server connection that could block it.
      pooler.unregister(name);
    }
    try (Connection admin = ddl.admin(server)) {
      ddl.drop(admin, name);
      log.info("dropped database and role {} on {}", name, server.id());
    } catch (SQLException e) {
      throw failure("drop the database and role", e);
    }
  }

  /**
   * Soft delete: the database leaves PgBouncer (its client connections there closed), the role
   * becomes {@code NOLOGIN} and its sessions on the server are ended. The database, the role and
   * its password are kept; {@link #enable} undoes it. Idempotent.
   */
  @Override
  public void disable(ResourceContext resource) {
    PostgresServer server = server(resource.backend());
    String name = nameFor(resource.resourceId());
    if (pooler != null) {
      pooler.unregister(name);
    }
    try (Connection admin = ddl.admin(server)) {
      ddl.disable(admin, name);
      log.info("role {} on {} disabled, its sessions ended", name, server.id());
    } catch (SQLException e) {
      throw failure("disable the role", e);
    }
  }

  /**
   * Undoes {@link #disable}: provisioning again gives the role {@code LOGIN} with its stored
   * verifier (the same password) and registers the database with PgBouncer again, verified by a
   * login. Idempotent.
   */
  @Override
  public void enable(ResourceContext resource) {
    provision(resource);
  }

  @Override
  public java.util.List<String> variableNames() {
    return ConnectionUrls.NAMES;
  }

  @Override
  public Map<String, String> variables(ResourceContext resource) {
    PostgresServer server = server(resource.backend());
    String name = resource.attributes().getOrDefault(ATTR_DATABASE, nameFor(resource.resourceId()));
    String password =
        resource
            .existingSecret("password")
            .orElseThrow(() -> new IllegalStateException("resource has no password"))
            .reveal();
    if (pooler != null) {
      boolean transactionPooled =
          "transaction".equals(PostgresConfig.from(resource.config()).poolMode());
      return ConnectionUrls.variables(
          pooler.settings().publicHost(),
          pooler.settings().publicPort(),
          name,
          name,
          password,
          server.sslmode(),
          transactionPooled,
          server.publicHost(),
          server.publicPort());
    }
    return ConnectionUrls.variables(
        server.publicHost(),
        server.publicPort(),
        name,
        name,
        password,
        server.sslmode(),
        false,
        server.publicHost(),
        server.publicPort());
  }

  /**
   * Where the tenant of a resource connects directly, bypassing any pooler: for {@code pg_dump} and
   * restores, which need one session.
   *
   * @param resource a provisioned resource
   * @return the server's host and port with the tenant role's credentials
   * @throws IllegalStateException when the resource has no stored password
   */
  public PgTools.Target directTarget(ResourceContext resource) {
    PostgresServer server = server(resource.backend());
    String name = resource.attributes().getOrDefault(ATTR_DATABASE, nameFor(resource.resourceId()));
    Secret password =
        resource
            .existingSecret("password")
            .orElseThrow(() -> new IllegalStateException("resource has no password"));
    return new PgTools.Target(server.host(), server.port(), name, password, name, server.sslmode());
  }

  /** The task with the caller's logging context (the operation id) on whichever thread runs it. */
  private static Runnable withMdc(Runnable task) {
    Map<String, String> context = MDC.getCopyOfContextMap();
    return () -> {
      if (context != null) {
        MDC.setContextMap(context);
      }
      try {
        task.run();
      } finally {
        MDC.clear();
      }
    };
  }

  /** Waits for work started beside the DDL; its failure becomes this attempt's failure. */
  private static void await(CompletableFuture<Void> work) {
    try {
      work.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  private static void awaitQuietly(CompletableFuture<Void> work) {
    try {
      work.join();
    } catch (CompletionException | CancellationException e) {
      // the attempt already failed for another reason, which is the one reported
    }
  }

  private PostgresServer server(String backend) {
    PostgresServer s = servers.get(backend);
    if (s == null) {
      throw new ProvisioningException(
          "BACKEND_UNKNOWN",
          "tenant Postgres server '" + backend + "' is not configured",
          true,
          null);
    }
    return s;
  }

  private static ProvisioningException failure(String what, SQLException e) {
    String state = e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")";
    boolean connection = e.getSQLState() != null && e.getSQLState().startsWith("08");
    return new ProvisioningException(
        connection ? "BACKEND_UNAVAILABLE" : "BACKEND_ERROR",
        "could not " + what + " on the tenant Postgres server" + state,
        true,
        e);
  }

  /** Closes the pools of admin connections to the tenant servers. */
  @Override
  public void close() {
    background.shutdown();
    ddl.close();
  }
}
