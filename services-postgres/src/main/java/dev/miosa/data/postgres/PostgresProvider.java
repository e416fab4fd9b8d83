package dev.miosa.data.postgres;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.postgres.pooler.PgBouncerRegistry;
import dev.miosa.data.postgres.pooler.Scram;
import dev.miosa.data.provisioner.spi.CredentialRotation;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Managed Postgres: for each environment a database on a tenant server, owned with everything in it
 * by a {@code NOLOGIN} owner role, and one login role per credential, a member of the owner whose
 * sessions run as it. Credentials rotate ({@link CredentialRotation}): a next login role is added
 * beside the current one, and the previous one is revoked after the grace.
 *
 * <p>Invariants (see DESIGN.md beside this file): names come from the resource id only ({@link
 * TenantNames}); no role is superuser, creates roles or databases; {@code CONNECT} is revoked from
 * {@code PUBLIC} on every database of the server; passwords are sent as SCRAM-SHA-256 verifiers
 * computed client-side, never as plain text. The DDL itself (pooled admin connections, the tenant
 * template, roles, the isolation sweep, drops) is {@link TenantDdl}'s and {@link TenantRoles}';
 * this class adapts it to the provider SPI. With a PgBouncer: a database (or a new credential) is
 * ready only after a login through it worked, and a database is removed from PgBouncer before it is
 * dropped.
 */
public final class PostgresProvider implements ServiceProvider, CredentialRotation, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PostgresProvider.class);

  /** Attribute: the database name. */
  public static final String ATTR_DATABASE = "database";

  /** Attribute: the owner role's name (the database's owner; the login roles are its members). */
  public static final String ATTR_ROLE = "role";

  /**
   * Attribute: the current credential's login role ({@code next.user}, {@code previous.user} during
   * a rotation). Absent on resources provisioned before rotation existed: their login is {@link
   * #nameFor}.
   */
  public static final String ATTR_USER = "user";

  /** Secret: the current login role's password. */
  public static final String SECRET_PASSWORD = "password";

  /**
   * Secret: the login role's SCRAM-SHA-256 verifier, set on the server and in PgBouncer's auth
   * file.
   */
  public static final String SECRET_SCRAM = "scramVerifier";

  private final Map<String, PostgresServer> servers;
  private final Supplier<Secret> passwordGenerator;
  private final PgBouncerRegistry pooler;
  private final TenantDdl ddl;
  private final PostgresRotation rotation;
  private final PostgresSpares spares;
  private final ExecutorService background =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "miosa-pgbouncer-register");
            t.setDaemon(true);
            return t;
          });

  /**
   * A provider keeping {@value PostgresSpares#DEFAULT_PER_SERVER} spare databases per server.
   *
   * @param servers the tenant servers, at least one
   * @param passwordGenerator makes new role passwords (at least 32 characters)
   * @param pooler the PgBouncer that {@code DATABASE_URL} goes through, or null for direct URLs
   */
  public PostgresProvider(
      List<PostgresServer> servers, Supplier<Secret> passwordGenerator, PgBouncerRegistry pooler) {
    this(servers, passwordGenerator, pooler, PostgresSpares.DEFAULT_PER_SERVER);
  }

  /**
   * @param servers the tenant servers, at least one
   * @param passwordGenerator makes new role passwords (at least 32 characters)
   * @param pooler the PgBouncer that {@code DATABASE_URL} goes through, or null for direct URLs
   * @param spareDatabases how many empty databases to keep ready per server, so that an attach
   *     renames one instead of waiting for {@code CREATE DATABASE} (0 to 64; 0: none, and spares
   *     left from a larger setting are dropped)
   * @throws IllegalArgumentException when there is no server or {@code spareDatabases} is out of
   *     range
   */
  public PostgresProvider(
      List<PostgresServer> servers,
      Supplier<Secret> passwordGenerator,
      PgBouncerRegistry pooler,
      int spareDatabases) {
    if (spareDatabases < 0 || spareDatabases > 64) {
      throw new IllegalArgumentException("spare databases per server must be 0 to 64");
    }
    this.ddl = new TenantDdl(spareDatabases);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("at least one tenant Postgres server is needed");
    }
    this.servers = new LinkedHashMap<>();
    servers.forEach(s -> this.servers.put(s.id(), s));
    this.spares = new PostgresSpares(this.servers.values(), ddl.spares());
    this.passwordGenerator = passwordGenerator;
    this.pooler = pooler;
    this.rotation = new PostgresRotation(ddl, pooler, passwordGenerator);
  }

  /** A provider with random 40-character alphanumeric passwords. */
  public PostgresProvider(List<PostgresServer> servers) {
    this(servers, () -> Passwords.alphanumeric(40), null);
  }

  /**
   * The spare databases of the tenant servers: counts and refills.
   *
   * @return the spares' view
   */
  public PostgresSpares spares() {
    return spares;
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

  /**
   * The login role of a resource's current credential: its {@value #ATTR_USER} attribute, or {@link
   * #nameFor} for a resource recorded before rotation existed.
   *
   * @param resource the resource
   * @return the login role's name
   */
  static String currentLogin(ResourceContext resource) {
    return resource.attributes().getOrDefault(ATTR_USER, nameFor(resource.resourceId()));
  }

  @Override
  public ProvisionResult provision(ResourceContext resource) {
    PostgresServer server = server(resource.backend());
    PostgresConfig plan = PostgresConfig.from(resource.config());
    TenantNames names = TenantNames.of(resource.resourceId());
    String login = currentLogin(resource);
    Secret password = resource.secret(SECRET_PASSWORD, passwordGenerator);
    // Computed once and stored: the server and PgBouncer's auth file must hold the same verifier.
    Secret verifier = resource.secret(SECRET_SCRAM, () -> Scram.verifier(password));
    // PgBouncer's files are rewritten while the server creates the database: an entry for a
    // database not yet there harms no one (nobody has its credentials before it is ready, and
    // PgBouncer opens server connections only for clients), and the rewrite then costs no time.
    CompletableFuture<Void> registered =
        pooler == null
            ? CompletableFuture.completedFuture(null)
            : CompletableFuture.runAsync(
                Async.withMdc(
                    () ->
                        pooler.register(
                            resource.resourceId(),
                            plan.poolerEntry(names.database(), server, login, verifier))),
                background);
    boolean created;
    try (Connection admin = ddl.admin(server)) {
      created = ddl.ensure(server, admin, names, login, verifier, plan.connectionLimit());
    } catch (SQLException e) {
      Async.awaitQuietly(registered); // the attempt ends with nothing of it still running
      throw Sql.failure("create the roles and database", e);
    } catch (RuntimeException e) {
      Async.awaitQuietly(registered);
      throw e;
    }
    if (pooler != null) {
      Async.await(registered);
      pooler.verifyLogin(names.database(), login, password);
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put(ATTR_DATABASE, names.database());
    attributes.put(ATTR_ROLE, names.owner());
    if (!resource.attributes().containsKey(ATTR_USER)) {
      // Only when absent: a rotation promoted meanwhile must not be undone by this result.
      attributes.put(ATTR_USER, login);
    }
    return new ProvisionResult(
        created ? ProvisionResult.Action.CREATED : ProvisionResult.Action.UPDATED, attributes);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Postgres: moves an older-layout database to its owner role first (as {@link #provision}
   * does), then creates the next login role ({@code t_<id>_g<n>}) as a member of the owner running
   * as it, adds it to PgBouncer's auth file beside the current one and logs in with it through
   * PgBouncer. Returns {@code next.user}; the secrets are {@code next.password} and {@code
   * next.scramVerifier}. Refused ({@code CREDENTIALS_IN_GRACE}, not retryable) while a previous
   * credential is still recorded: the promotion would overwrite it, and its login role would be
   * revoked by nobody.
   */
  @Override
  public Map<String, String> addNextCredentials(ResourceContext resource) {
    PostgresServer server = server(resource.backend());
    try {
      return rotation.addNext(resource, server);
    } catch (SQLException e) {
      throw Sql.failure("add the next login role", e);
    }
  }

  /**
   * {@inheritDoc}
   *
   * <p>Postgres: removes the {@code previous.user} login role from PgBouncer's auth file, makes it
   * {@code NOLOGIN}, terminates its sessions (which also ends PgBouncer's server connections of it)
   * and drops it; the objects it made belong to the owner role and stay.
   */
  @Override
  public void revokePreviousCredentials(ResourceContext resource) {
    PostgresServer server = server(resource.backend());
    try {
      rotation.revokePrevious(resource, server);
    } catch (SQLException e) {
      throw Sql.failure("revoke the previous login role", e);
    }
  }

  @Override
  public void deprovision(ResourceContext resource) {
    PostgresServer server = server(resource.backend());
    TenantNames names = TenantNames.of(resource.resourceId());
    if (pooler != null) {
      // Before the drop: PgBouncer then holds no server connection that could block it.
      pooler.unregister(names.database());
    }
    try (Connection admin = ddl.admin(server)) {
      ddl.drop(admin, names);
      log.info("dropped database {} and its roles on {}", names.database(), server.id());
    } catch (SQLException e) {
      throw Sql.failure("drop the database and roles", e);
    }
  }

  /**
   * Soft delete: the database leaves PgBouncer (its client connections there closed), every login
   * role of the resource (a previous credential in its grace too) becomes {@code NOLOGIN} and their
   * sessions on the server are ended. The database, the roles and the passwords are kept; enabling
   * restores the current login (a previous one stays refused); {@link #enable} undoes it.
   * Idempotent.
   */
  @Override
  public void disable(ResourceContext resource) {
    PostgresServer server = server(resource.backend());
    TenantNames names = TenantNames.of(resource.resourceId());
    if (pooler != null) {
      pooler.unregister(names.database());
    }
    try (Connection admin = ddl.admin(server)) {
      ddl.disable(admin, names);
      log.info("logins of {} on {} disabled, their sessions ended", names.database(), server.id());
    } catch (SQLException e) {
      throw Sql.failure("disable the role", e);
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
            .existingSecret(SECRET_PASSWORD)
            .orElseThrow(() -> new IllegalStateException("resource has no password"))
            .reveal();
    // DATABASE_URL goes through PgBouncer when there is one; DATABASE_URL_UNPOOLED never does.
    boolean pooled = pooler != null;
    boolean transactionPooled =
        pooled && "transaction".equals(PostgresConfig.from(resource.config()).poolMode());
    return ConnectionUrls.variables(
        pooled ? pooler.settings().publicHost() : server.publicHost(),
        pooled ? pooler.settings().publicPort() : server.publicPort(),
        name,
        currentLogin(resource),
        password,
        server.sslmode(),
        transactionPooled,
        server.publicHost(),
        server.publicPort());
  }

  /**
   * Where the tenant of a resource connects directly, bypassing any pooler: for {@code pg_dump} and
   * restores, which need one session.
   *
   * @param resource a provisioned resource
   * @return the server's host and port with the current credential (its sessions run as the owner
   *     role, which then owns what a restore makes)
   * @throws IllegalStateException when the resource has no stored password
   */
  public PgTools.Target directTarget(ResourceContext resource) {
    PostgresServer server = server(resource.backend());
    String name = resource.attributes().getOrDefault(ATTR_DATABASE, nameFor(resource.resourceId()));
    Secret password =
        resource
            .existingSecret(SECRET_PASSWORD)
            .orElseThrow(() -> new IllegalStateException("resource has no password"));
    return new PgTools.Target(
        server.host(), server.port(), currentLogin(resource), password, name, server.sslmode());
  }

  /** The tenant DDL, for tests of this package. */
  TenantDdl ddl() {
    return ddl;
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

  /** Closes the pools of admin connections to the tenant servers. */
  @Override
  public void close() {
    background.shutdown();
    ddl.close();
  }
}
