package dev.miosa.data.postgres;

import static dev.miosa.data.postgres.Sql.exec;
import static dev.miosa.data.postgres.Sql.exists;
import static dev.miosa.data.postgres.Sql.inTransaction;
import static dev.miosa.data.postgres.Sql.strings;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The template tenant databases are cloned from, one per server: {@code miosa_template} (PostgreSQL
 * 14+), a copy of {@code template1} whose {@code public} schema belongs to {@code
 * pg_database_owner} and is closed to {@code PUBLIC}. A new database then needs no session of its
 * own to be prepared: its owner owns its {@code public} schema the moment it exists. Where the
 * template cannot be made (an older server, an admin role that may not change {@code public}),
 * {@code template1} is used and each database is prepared over a session in it; the result is the
 * same.
 */
final class TenantTemplates {

  private static final Logger log = LoggerFactory.getLogger(TenantTemplates.class);

  /** The template tenant databases are cloned from. */
  static final String TEMPLATE = "miosa_template";

  /** Marks a finished template (its comment); a template without it is made again. */
  static final String TEMPLATE_MARK = "miosa tenant database template, version 1";

  static final String NO_TEMPLATE = "template1";

  private final Map<String, String> templates = new ConcurrentHashMap<>();

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
        try (Connection t = TenantDdl.connect(server, TEMPLATE)) {
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
    return finishedOid(admin) != null;
  }

  /**
   * The oid of the server's template when it is finished (marked, a template, closed to
   * connections).
   *
   * @param admin an admin connection
   * @return the oid as text, or null when there is no finished template
   * @throws SQLException when the server cannot be read
   */
  static String finishedOid(Connection admin) throws SQLException {
    List<String> oid =
        strings(
            admin,
            "SELECT d.oid::text FROM pg_database d WHERE d.datname = ? AND d.datistemplate"
                + " AND NOT d.datallowconn AND shobj_description(d.oid, 'pg_database') = ?",
            TEMPLATE,
            TEMPLATE_MARK);
    return oid.isEmpty() ? null : oid.get(0);
  }

  private static int serverVersion(Connection admin) throws SQLException {
    try (Statement st = admin.createStatement();
        var rs = st.executeQuery("SHOW server_version_num")) {
      rs.next();
      return Integer.parseInt(rs.getString(1));
    }
  }

  /**
   * Forgets what was decided for a server (its template was dropped): the next {@link #template}
   * call decides again.
   *
   * @param serverId the server's id
   */
  void forget(String serverId) {
    templates.remove(serverId);
  }
}
