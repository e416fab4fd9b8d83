package dev.miosa.data.postgres;

import static dev.miosa.data.postgres.Sql.exec;
import static dev.miosa.data.postgres.Sql.exists;
import static dev.miosa.data.postgres.Sql.inTransaction;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.miosa.data.credentials.Secret;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DDL of tenant databases on their servers: the owner and login roles ({@link TenantRoles}),
 * databases (cloned from the template {@link TenantTemplates} keeps per server), the {@code
 * CONNECT} isolation sweep, disabling and drops, over a small pool of admin connections per server.
 * See DESIGN.md beside this file.
 */
final class TenantDdl implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TenantDdl.class);

  private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();
  private final TenantTemplates templates = new TenantTemplates();
  private final SpareDatabases spares;

  /**
   * @param spareDatabases how many spare databases to keep ready per server ({@link
   *     SpareDatabases}; 0: every attach runs {@code CREATE DATABASE})
   */
  TenantDdl(int spareDatabases) {
    this.spares = new SpareDatabases(spareDatabases, this);
  }

  /** The spare databases of the servers. */
  SpareDatabases spares() {
    return spares;
  }

  /**
   * The template tenant databases are cloned from on the server ({@link TenantTemplates}).
   *
   * @throws SQLException when the server cannot be reached
   */
  String template(PostgresServer server, Connection admin) throws SQLException {
    return templates.template(server, admin);
  }

  /** Forgets the template decided for a server: the next {@link #template} call checks again. */
  void forgetTemplate(PostgresServer server) {
    templates.forget(server.id());
  }

  /**
   * A pooled admin connection to the server's maintenance database (autocommit on). Closing it
   * returns it to the pool; a connection broken meanwhile is replaced, not handed out.
   *
   * @param server the tenant server
   * @return the connection
   * @throws SQLException when the server cannot be reached or refuses the admin login
   */
  Connection admin(PostgresServer server) throws SQLException {
    return pools.computeIfAbsent(server.id(), id -> pool(server)).getConnection();
  }

  private static HikariDataSource pool(PostgresServer server) {
    HikariConfig hc = new HikariConfig();
    hc.setPoolName("miosa-tenant-admin-" + server.id());
    hc.setJdbcUrl(server.adminJdbcUrl(server.adminDatabase()));
    hc.setDataSourceProperties(properties(server));
    // Few: provisions of one attach run at once (one per environment), plus a deprovision or two.
    hc.setMaximumPoolSize(8);
    hc.setMinimumIdle(0); // nothing held against an idle server
    hc.setIdleTimeout(Duration.ofMinutes(1).toMillis());
    hc.setMaxLifetime(Duration.ofMinutes(10).toMillis());
    hc.setConnectionTimeout(Duration.ofSeconds(15).toMillis());
    // Created on first use, so a server that is down at start does not fail the start.
    hc.setInitializationFailTimeout(-1);
    return new HikariDataSource(hc);
  }

  private static Properties properties(PostgresServer server) {
    Properties props = new Properties();
    props.setProperty("user", server.adminUser());
    props.setProperty("password", server.adminPassword().reveal());
    props.setProperty("connectTimeout", "10");
    props.setProperty("socketTimeout", "300");
    props.setProperty("ApplicationName", "miosa-provisioner");
    return props;
  }

  /**
   * Brings a resource's roles and database to the owner-role layout: a {@code NOLOGIN} owner role
   * owning the database and its objects, the login role a member of it whose sessions run as it,
   * {@code CONNECT} on the database for the owner only. A new resource costs two round trips when a
   * spare database is free (both roles in one transaction; the claim of a spare with its ownership
   * and the isolation in another, see {@link SpareDatabases}), four otherwise (the roles, {@code
   * CREATE DATABASE}, which cannot run in a transaction, its {@link TenantIsolation#open}, and the
   * isolation). An existing one is read in one query and repaired; a database of the older layout
   * (owned by its login role) is moved to the owner in place while its sessions keep working (see
   * {@link TenantRoles#takeOwnership}). Every step is idempotent, so a crash between any two leaves
   * a state the next call finishes.
   *
   * @param server the tenant server
   * @param admin an admin connection to it
   * @param names the resource's names
   * @param login the current credential's login role
   * @param verifier its SCRAM-SHA-256 verifier (never a plain password)
   * @param connectionLimit the login's connection limit
   * @return true when the login role or the database was created now
   * @throws SQLException when the server refuses
   */
  boolean ensure(
      PostgresServer server,
      Connection admin,
      TenantNames names,
      String login,
      Secret verifier,
      int connectionLimit)
      throws SQLException {
    if (TenantRoles.createFresh(admin, names, login, verifier, connectionLimit)) {
      if (spares.claim(server, admin, names)) { // owned and isolated in the claim's transaction
        return true;
      }
      if (createDatabase(server, admin, names)) {
        TenantIsolation.isolate(admin, names, List.of());
        return true;
      }
    }
    TenantRoles.State state = TenantRoles.state(admin, names, login);
    try {
      TenantRoles.reconcile(admin, names, login, verifier, connectionLimit, state);
    } catch (SQLException e) {
      if (!Sql.duplicateObject(e)) {
        throw e;
      }
      state = TenantRoles.state(admin, names, login); // a concurrent attempt made a role: again
      TenantRoles.reconcile(admin, names, login, verifier, connectionLimit, state);
    }
    // An owner role made now for an existing login and database is a move, not a creation.
    boolean created = !state.loginExists();
    if (!state.databaseExists()) {
      created |= spares.claim(server, admin, names) || createDatabase(server, admin, names);
    }
    if (state.loginOwnsObjects()) {
      try (Connection db = connect(server, names.database())) {
        TenantRoles.takeOwnership(db, admin, names, login);
      }
      log.info("database {} moved to its owner role {}", names.database(), names.owner());
    } else {
      exec(admin, "ALTER DATABASE " + names.database() + " OWNER TO " + names.owner());
    }
    TenantIsolation.isolate(admin, names, state.loginHasGrant() ? List.of(login) : List.of());
    return created;
  }

  /**
   * Creates the database owned by the owner role, with its {@code public} schema owned by it
   * (through {@code pg_database_owner}, or set in a session of its own where there is no template)
   * and closed to {@code PUBLIC}.
   *
   * @return true when the database was created now, false when it existed
   */
  private boolean createDatabase(PostgresServer server, Connection admin, TenantNames names)
      throws SQLException {
    String template = templates.template(server, admin);
    String name = names.database();
    try {
      // Closed to every session until PUBLIC's CONNECT is revoked: a new database's ACL is empty,
      // which grants CONNECT and TEMPORARY to PUBLIC, so any tenant login could enter it (and
      // leave objects there) between the two statements, or for good after a crash.
      exec(
          admin,
          "CREATE DATABASE "
              + name
              + " OWNER "
              + names.owner()
              + " ENCODING 'UTF8' TEMPLATE "
              + template
              + " ALLOW_CONNECTIONS false");
    } catch (SQLException e) {
      if ("42P04".equals(e.getSQLState())) { // duplicate_database
        return false;
      }
      if ("3D000".equals(e.getSQLState())) { // the template was dropped: make it again next time
        templates.forget(server.id());
      }
      throw e;
    }
    afterCreateDatabase.accept(name);
    TenantIsolation.open(admin, name);
    if (TenantTemplates.NO_TEMPLATE.equals(template)) {
      try (Connection db = connect(server, name)) {
        inTransaction(
            db,
            "ALTER SCHEMA public OWNER TO " + names.owner(),
            "REVOKE ALL ON SCHEMA public FROM PUBLIC");
      }
    }
    return true;
  }

  /**
   * Called with a new database's name between its creation and {@link TenantIsolation#open}; for
   * tests.
   */
  volatile java.util.function.Consumer<String> afterCreateDatabase = name -> {};

  /**
   * Refuses every login of a resource (current, next and previous credential, and the login of the
   * older layout) and ends its open sessions, keeping its database, roles and passwords (soft
   * delete); roles that do not exist are skipped.
   *
   * @param admin an admin connection
   * @param names the resource's names
   * @throws SQLException when the server refuses
   */
  void disable(Connection admin, TenantNames names) throws SQLException {
    List<String> logins = TenantRoles.logins(admin, names);
    noLogin(admin, logins); // first: an ended session cannot come back
    terminateSessions(admin, logins, names.database());
  }

  private void noLogin(Connection admin, List<String> logins) throws SQLException {
    if (!logins.isEmpty()) {
      StringBuilder nologin = new StringBuilder();
      for (String login : logins) {
        nologin.append("ALTER ROLE ").append(login).append(" NOLOGIN;");
      }
      exec(admin, nologin.toString());
    }
  }

  private static void terminateSessions(Connection admin, List<String> logins, String database)
      throws SQLException {
    try (PreparedStatement st =
        admin.prepareStatement(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE (usename = ANY (?) OR datname = ?) AND pid <> pg_backend_pid()")) {
      st.setArray(1, admin.createArrayOf("text", logins.toArray()));
      st.setString(2, database);
      st.executeQuery().close(); // whether anyone was there does not matter
    }
  }

  /**
   * Every login role of a resource (current, next, previous credential, and the login of the older
   * layout), whether it may log in now or not: for whatever must act on all of them (disabling a
   * resource, dropping it).
   *
   * @param admin an admin connection
   * @param names the resource's names
   * @return the role names, sorted
   * @throws SQLException when the server cannot be read
   */
  List<String> loginRoles(Connection admin, TenantNames names) throws SQLException {
    return TenantRoles.logins(admin, names);
  }

  /**
   * Ends the tenant's sessions and drops its database, every login role and the owner role; what is
   * already gone is skipped.
   *
   * @param admin an admin connection
   * @param names the tenant's names
   * @throws SQLException when the server refuses
   */
  void drop(Connection admin, TenantNames names) throws SQLException {
    String name = names.database();
    List<String> logins = TenantRoles.logins(admin, names);
    List<String> roles = new ArrayList<>(logins);
    if (exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", names.owner())) {
      roles.add(names.owner());
    }
    noLogin(admin, logins);
    if (exists(admin, "SELECT 1 FROM pg_database WHERE datname = ?", name)) {
      exec(admin, "REVOKE CONNECT, TEMPORARY ON DATABASE " + name + " FROM PUBLIC");
      for (String role : roles) {
        exec(admin, "REVOKE ALL ON DATABASE " + name + " FROM " + role);
      }
    }
    terminateSessions(admin, logins, name);
    exec(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    if (!roles.isEmpty()) {
      exec(admin, "DROP ROLE IF EXISTS " + String.join(", ", roles));
    }
  }

  /**
   * An admin session of its own in one database of the server (not pooled: used once).
   *
   * @param server the tenant server
   * @param database the database
   * @return the session
   * @throws SQLException when the server cannot be reached or refuses
   */
  static Connection connect(PostgresServer server, String database) throws SQLException {
    return DriverManager.getConnection(server.adminJdbcUrl(database), properties(server));
  }

  /** Stops the refills of spare databases and closes the admin pools. */
  @Override
  public void close() {
    spares.close();
    pools.values().forEach(HikariDataSource::close);
    pools.clear();
  }
}
