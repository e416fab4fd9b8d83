package dev.miosa.data.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.postgres.pooler.Scram;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DDL of tenant databases on their servers: login roles, databases, the {@code CONNECT}
 * isolation sweep and drops, over a small pool of admin connections per server.
 *
 * <p>Databases are cloned from {@code miosa_template}, a template this class makes once per server
 * (PostgreSQL 14+): a copy of {@code template1} whose {@code public} schema belongs to {@code
 * pg_database_owner} and is closed to {@code PUBLIC}. A new database then needs no session of its
 * own to be prepared: its owner owns its {@code public} schema the moment it exists. Where the
 * template cannot be made (an older server, an admin role that may not change {@code public}), the
 * database is cloned from {@code template1} and prepared over a session in it, as before; the
 * result is the same. See DESIGN.md beside this file.
 */
final class TenantDdl implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TenantDdl.class);

  /** The template tenant databases are cloned from. */
  static final String TEMPLATE = "miosa_template";

  /** Marks a finished template (its comment); a template without it is made again. */
  static final String TEMPLATE_MARK = "miosa tenant database template, version 1";

  private static final String NO_TEMPLATE = "template1";

  private final Map<String, HikariDataSource> pools = new ConcurrentHashMap<>();
  private final Map<String, String> templates = new ConcurrentHashMap<>();

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
   * Creates the login role, or re-applies its attributes and verifier when it exists.
   *
   * @param admin an admin connection
   * @param name the role name (a plain identifier from {@link PostgresProvider#nameFor})
   * @param verifier the SCRAM-SHA-256 verifier (never a plain password)
   * @param connectionLimit the role's connection limit
   * @return true when the role was created now
   * @throws SQLException when the server refuses
   */
  boolean ensureRole(Connection admin, String name, Secret verifier, int connectionLimit)
      throws SQLException {
    // The verifier is computed client-side: the plain password never reaches the server, so it
    // cannot appear in its logs or pg_stat_statements. PostgreSQL stores a verifier as it is.
    if (!Scram.isVerifier(verifier.reveal())) {
      throw new IllegalStateException("stored verifier has an unexpected shape");
    }
    String attributes =
        " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
            + " CONNECTION LIMIT "
            + connectionLimit
            + " PASSWORD '"
            + verifier.reveal()
            + "'";
    if (!exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", name)) {
      try {
        exec(admin, "CREATE ROLE " + name + attributes); // one statement, one commit
        return true;
      } catch (SQLException e) {
        if (!"42710".equals(e.getSQLState())) { // duplicate_object: a concurrent attempt won
          throw e;
        }
      }
    }
    exec(admin, "ALTER ROLE " + name + attributes);
    return false;
  }

  /**
   * Creates the database owned by the role, with its {@code public} schema owned by that role and
   * closed to {@code PUBLIC}; an existing one is given back to the role.
   *
   * @param server the tenant server
   * @param admin an admin connection to it
   * @param name the database (and owner role) name
   * @return true when the database was created now
   * @throws SQLException when the server refuses
   */
  boolean ensureDatabase(PostgresServer server, Connection admin, String name) throws SQLException {
    if (exists(admin, "SELECT 1 FROM pg_database WHERE datname = ?", name)) {
      exec(admin, "ALTER DATABASE " + name + " OWNER TO " + name);
      return false;
    }
    String template = template(server, admin);
    try {
      exec(
          admin,
          "CREATE DATABASE " + name + " OWNER " + name + " ENCODING 'UTF8' TEMPLATE " + template);
    } catch (SQLException e) {
      if ("42P04".equals(e.getSQLState())) { // duplicate_database
        exec(admin, "ALTER DATABASE " + name + " OWNER TO " + name);
        return false;
      }
      if ("3D000".equals(e.getSQLState())) { // the template was dropped: make it again next time
        templates.remove(server.id());
      }
      throw e;
    }
    if (NO_TEMPLATE.equals(template)) {
      try (Connection db = connect(server, name)) {
        inTransaction(
            db, "ALTER SCHEMA public OWNER TO " + name, "REVOKE ALL ON SCHEMA public FROM PUBLIC");
      }
    }
    return true;
  }

  /**
   * Revokes CONNECT and TEMPORARY from PUBLIC on every connectable database of the server and
   * grants them to the tenant on its own, in one transaction. Two provisions at once would both
   * find a database created by either and revoke on it together, which PostgreSQL refuses ("tuple
   * concurrently updated"); so the transaction first takes an advisory lock on the tenant server.
   *
   * @param admin an admin connection
   * @param name the tenant's database and role
   * @throws SQLException when the server refuses
   */
  void isolate(Connection admin, String name) throws SQLException {
    inTransaction(
        admin,
        c -> {
          exec(c, "SELECT pg_advisory_xact_lock(hashtext('miosa.revoke-public-connect'))");
          List<String> names = new ArrayList<>();
          try (Statement st = c.createStatement();
              var rs =
                  st.executeQuery(
                      "SELECT quote_ident(d.datname) FROM pg_database d"
                          + " WHERE d.datname <> 'template0' AND (d.datacl IS NULL OR EXISTS"
                          + " (SELECT 1 FROM aclexplode(d.datacl) a WHERE a.grantee = 0"
                          + " AND a.privilege_type IN ('CONNECT', 'TEMPORARY')))")) {
            while (rs.next()) {
              names.add(rs.getString(1));
            }
          }
          for (String db : names) {
            exec(c, "REVOKE CONNECT, TEMPORARY ON DATABASE " + db + " FROM PUBLIC");
          }
          exec(c, "GRANT CONNECT, TEMPORARY ON DATABASE " + name + " TO " + name);
        });
  }

  /**
   * Refuses the tenant's logins and ends its open sessions, keeping its database, role and password
   * (soft delete); a role that does not exist is skipped.
   *
   * @throws SQLException when the server refuses
   */
  void disable(Connection admin, String name) throws SQLException {
    if (exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", name)) {
      exec(admin, "ALTER ROLE " + name + " NOLOGIN"); // first: an ended session cannot come back
      terminateSessions(admin, name);
    }
  }

  private void terminateSessions(Connection admin, String name) throws SQLException {
    exists( // whether anyone was there does not matter
        admin,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            + " WHERE (usename = ? OR datname = ?) AND pid <> pg_backend_pid()",
        name,
        name);
  }

  /**
   * Ends the tenant's sessions and drops its database and role; what is already gone is skipped.
   *
   * @param admin an admin connection
   * @param name the tenant's database and role
   * @throws SQLException when the server refuses
   */
  void drop(Connection admin, String name) throws SQLException {
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
    terminateSessions(admin, name);
    exec(admin, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    if (roleExists) {
      exec(admin, "DROP ROLE IF EXISTS " + name);
    }
  }

  /**
   * The template to clone tenant databases from on this server: {@link #TEMPLATE}, made now if
   * missing or unfinished, or {@code template1} where it cannot be made. Decided once per server
   * and process; a server that cannot be reached decides nothing (the caller's attempt fails and is
   * retried).
   *
   * @throws SQLException when the server cannot be reached
   */
  String template(PostgresServer server, Connection admin) throws SQLException {
    String known = templates.get(server.id());
    if (known != null) {
      return known;
    }
    synchronized (templates) {
      known = templates.get(server.id());
      if (known == null) {
        known = makeTemplate(server, admin);
        templates.put(server.id(), known);
      }
      return known;
    }
  }

  private String makeTemplate(PostgresServer server, Connection admin) throws SQLException {
    try {
      if (serverVersion(admin) < 140000) { // pg_database_owner appeared in PostgreSQL 14
        return NO_TEMPLATE;
      }
      if (templateFinished(admin)) {
        return TEMPLATE;
      }
      // Session lock: CREATE DATABASE cannot run in a transaction. Replicas make it one at a time.
      exec(admin, "SELECT pg_advisory_lock(hashtext('miosa.template'))");
      try {
        if (templateFinished(admin)) {
          return TEMPLATE;
        }
        if (exists(admin, "SELECT 1 FROM pg_database WHERE datname = ?", TEMPLATE)) {
          // An attempt that died half-way: start over.
          exec(admin, "ALTER DATABASE " + TEMPLATE + " WITH IS_TEMPLATE false");
          exec(admin, "DROP DATABASE " + TEMPLATE + " WITH (FORCE)");
        }
        exec(admin, "CREATE DATABASE " + TEMPLATE + " ENCODING 'UTF8' TEMPLATE template1");
        try (Connection t = connect(server, TEMPLATE)) {
          inTransaction(
              t,
              "ALTER SCHEMA public OWNER TO pg_database_owner",
              "REVOKE ALL ON SCHEMA public FROM PUBLIC");
        }
        exec(admin, "REVOKE CONNECT, TEMPORARY ON DATABASE " + TEMPLATE + " FROM PUBLIC");
        exec(
            admin, "ALTER DATABASE " + TEMPLATE + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false");
        exec(admin, "COMMENT ON DATABASE " + TEMPLATE + " IS '" + TEMPLATE_MARK + "'");
        log.info("made the tenant database template {} on {}", TEMPLATE, server.id());
        return TEMPLATE;
      } finally {
        exec(admin, "SELECT pg_advisory_unlock(hashtext('miosa.template'))");
      }
    } catch (SQLException e) {
      String state = e.getSQLState() == null ? "" : e.getSQLState();
      if (state.startsWith("08") || state.startsWith("57")) { // connection lost, server stopping
        throw e;
      }
      log.warn(
          "cannot make the tenant database template on {} (SQLSTATE {}); cloning template1 and"
              + " preparing each database in a session of its own",
          server.id(),
          state);
      return NO_TEMPLATE;
    }
  }

  private static boolean templateFinished(Connection admin) throws SQLException {
    return exists(
        admin,
        "SELECT 1 FROM pg_database d WHERE d.datname = ? AND d.datistemplate"
            + " AND NOT d.datallowconn AND shobj_description(d.oid, 'pg_database') = ?",
        TEMPLATE,
        TEMPLATE_MARK);
  }

  private static int serverVersion(Connection admin) throws SQLException {
    try (Statement st = admin.createStatement();
        var rs = st.executeQuery("SHOW server_version_num")) {
      rs.next();
      return Integer.parseInt(rs.getString(1));
    }
  }

  /** A session of its own in one database of the server (not pooled: used once). */
  private static Connection connect(PostgresServer server, String database) throws SQLException {
    return DriverManager.getConnection(server.adminJdbcUrl(database), properties(server));
  }

  /** Work on a connection that may fail with an {@link SQLException}. */
  @FunctionalInterface
  private interface SqlWork {
    void run(Connection c) throws SQLException;
  }

  /** Runs statements in one transaction (one commit on the server). */
  private static void inTransaction(Connection c, String... statements) throws SQLException {
    inTransaction(
        c,
        tx -> {
          for (String sql : statements) {
            exec(tx, sql);
          }
        });
  }

  /** Runs work in one transaction, rolled back when it fails; autocommit restored after. */
  private static void inTransaction(Connection c, SqlWork work) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      work.run(c);
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /** Whether the query gives a row; its parameters are bound as text in order. */
  private static boolean exists(Connection c, String sql, String... args) throws SQLException {
    try (PreparedStatement st = c.prepareStatement(sql)) {
      for (int i = 0; i < args.length; i++) {
        st.setString(i + 1, args[i]);
      }
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

  /** Closes the admin pools. */
  @Override
  public void close() {
    pools.values().forEach(HikariDataSource::close);
    pools.clear();
  }
}
