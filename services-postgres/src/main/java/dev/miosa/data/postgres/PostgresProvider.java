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
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Managed Postgres: for each environment a login role and a database it owns on a tenant server.
 *
 * <p>Invariants (see DESIGN.md beside this file): names come from the resource id only; the role is
 * never superuser, never creates roles or databases; {@code CONNECT} is revoked from {@code PUBLIC}
 * on every database of the server; passwords are sent as SCRAM-SHA-256 verifiers computed
 * client-side, never as plain text; admin work connects to the maintenance database, never to a
 * template. With a PgBouncer: a database is ready only after a login through it worked, and it is
 * removed from PgBouncer before it is dropped.
 */
public final class PostgresProvider implements ServiceProvider {

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
    boolean created = false;
    try (Connection admin = connect(server, server.adminDatabase())) {
      created |= ensureRole(admin, name, verifier, plan.connectionLimit());
      created |= ensureDatabase(admin, name);
      isolate(admin, name);
    } catch (SQLException e) {
      throw failure("create the role and database", e);
    }
    try (Connection db = connect(server, name)) {
      // PostgreSQL 15 gives public to pg_database_owner; older servers need the owner change.
      inTransaction(
          db, "ALTER SCHEMA public OWNER TO " + name, "REVOKE ALL ON SCHEMA public FROM PUBLIC");
    } catch (SQLException e) {
      throw failure("prepare the public schema", e);
    }
    if (pooler != null) {
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
              verifier));
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
    try (Connection admin = connect(server, server.adminDatabase())) {
      boolean roleExists = exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", name);
      boolean dbExists = exists(admin, "SELECT 1 FROM pg_database WHERE datname = ?", name);
      if (roleExists) {
        exec(admin, "ALTER ROLE " + name + " NOLOGIN");
      }
      if (dbExists) {
        exec(admin, "REVOKE CONNECT, TEMPORARY ON DATABASE " + name + " FROM PUBLIC");
        if (roleExists) {
          exec(admin, "REVOKE ALL ON DATABASE " + name + " FROM " + name);
        }
      }
      try (PreparedStatement st =
          admin.prepareStatement(
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                  + " WHERE (usename = ? OR datname = ?) AND pid <> pg_backend_pid()")) {
        st.setString(1, name);
        st.setString(2, name);
        st.executeQuery().close();
      }
      exec(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      if (roleExists) {
        exec(admin, "DROP ROLE IF EXISTS " + name);
      }
      log.info("dropped database and role {} on {}", name, server.id());
    } catch (SQLException e) {
      throw failure("drop the database and role", e);
    }
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

  private boolean ensureRole(Connection admin, String name, Secret verifier, int connectionLimit)
      throws SQLException {
    // The SCRAM-SHA-256 verifier is computed here: the plain password never reaches the server, so
    // it cannot appear in its logs or pg_stat_statements. PostgreSQL stores a verifier as it is.
    if (!Scram.isVerifier(verifier.reveal())) {
      throw new IllegalStateException("stored verifier has an unexpected shape");
    }
    String settle =
        "ALTER ROLE "
            + name
            + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
            + " CONNECTION LIMIT "
            + connectionLimit
            + " PASSWORD '"
            + verifier.reveal()
            + "'";
    if (!exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", name)) {
      try {
        // One transaction, one commit (each commit waits for a WAL flush on the server).
        inTransaction(admin, "CREATE ROLE " + name + " LOGIN", settle);
        return true;
      } catch (SQLException e) {
        if (!"42710".equals(e.getSQLState())) { // duplicate_object: a concurrent attempt won
          throw e;
        }
      }
    }
    exec(admin, settle);
    return false;
  }

  private boolean ensureDatabase(Connection admin, String name) throws SQLException {
    if (exists(admin, "SELECT 1 FROM pg_database WHERE datname = ?", name)) {
      exec(admin, "ALTER DATABASE " + name + " OWNER TO " + name);
      return false;
    }
    try {
      exec(
          admin,
          "CREATE DATABASE " + name + " OWNER " + name + " ENCODING 'UTF8' TEMPLATE template1");
      return true;
    } catch (SQLException e) {
      if ("42P04".equals(e.getSQLState())) { // duplicate_database
        exec(admin, "ALTER DATABASE " + name + " OWNER TO " + name);
        return false;
      }
      throw e;
    }
  }

  /**
   * Revokes CONNECT and TEMPORARY from PUBLIC on every connectable database of the server and
   * grants them to the tenant on its own, in one transaction. Two provisions at once would both
   * find a database created by either and revoke on it together, which PostgreSQL refuses ("tuple
   * concurrently updated"); so the transaction first takes an advisory lock on the tenant server.
   */
  private static void isolate(Connection admin, String name) throws SQLException {
    boolean auto = admin.getAutoCommit();
    admin.setAutoCommit(false);
    try {
      exec(admin, "SELECT pg_advisory_xact_lock(hashtext('miosa.revoke-public-connect'))");
      List<String> names = new ArrayList<>();
      try (Statement st = admin.createStatement();
          var rs =
              st.executeQuery(
                  "SELECT quote_ident(d.datname) FROM pg_database d WHERE d.datname <> 'template0'"
                      + " AND (d.datacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(d.datacl) a"
                      + " WHERE a.grantee = 0 AND a.privilege_type IN ('CONNECT', 'TEMPORARY')))")) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
      for (String db : names) {
        exec(admin, "REVOKE CONNECT, TEMPORARY ON DATABASE " + db + " FROM PUBLIC");
      }
      exec(admin, "GRANT CONNECT, TEMPORARY ON DATABASE " + name + " TO " + name);
      admin.commit();
    } catch (SQLException | RuntimeException e) {
      admin.rollback();
      throw e;
    } finally {
      admin.setAutoCommit(auto);
    }
  }

  /** Runs statements in one transaction (one commit on the server). */
  private static void inTransaction(Connection c, String... statements) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      for (String sql : statements) {
        exec(c, sql);
      }
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
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

  static Connection connect(PostgresServer server, String database) throws SQLException {
    Properties props = new Properties();
    props.setProperty("user", server.adminUser());
    props.setProperty("password", server.adminPassword().reveal());
    props.setProperty("connectTimeout", "10");
    props.setProperty("socketTimeout", "300");
    props.setProperty("ApplicationName", "miosa-provisioner");
    return DriverManager.getConnection(server.adminJdbcUrl(database), props);
  }

  private static boolean exists(Connection c, String sql, String arg) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      st.setString(1, arg);
      try (var rs = st.executeQuery()) {
        return rs.next();
      }
    }
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement st = c.createStatement()) {
      st.execute(sql);
    }
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
}
