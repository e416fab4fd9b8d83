package dev.miosa.data.postgres;

import static dev.miosa.data.postgres.Sql.exec;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.postgres.pooler.Scram;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The roles of tenant databases: a {@code NOLOGIN} owner role per resource that owns the database
 * and everything in it, and one login role per credential, a member of the owner whose sessions run
 * as the owner ({@code ALTER ROLE login SET role = owner}), so objects any credential creates
 * belong to the owner and every later credential may use them. Also the move of a database of the
 * older layout (a login role owning it) to this one, in place. See DESIGN.md beside this file.
 *
 * <p>Every method is idempotent; names come from {@link TenantNames} (plain identifiers, never
 * quoted) and passwords only as SCRAM verifiers.
 */
final class TenantRoles {

  private static final String OWNER_ATTRIBUTES =
      " WITH NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT";

  private TenantRoles() {}

  /**
   * What exists of a resource's roles and database, read in one query.
   *
   * @param ownerExists the owner role exists
   * @param loginExists the login role exists
   * @param loginIsMember the login is a member of the owner
   * @param databaseExists the database exists
   * @param loginOwnsObjects the login owns something (the database, objects in it): the older
   *     layout, or an object made after {@code RESET ROLE}
   * @param loginHasGrant the login holds a privilege on the database of its own (older layout)
   */
  record State(
      boolean ownerExists,
      boolean loginExists,
      boolean loginIsMember,
      boolean databaseExists,
      boolean loginOwnsObjects,
      boolean loginHasGrant) {}

  static State state(Connection admin, TenantNames names, String login) throws SQLException {
    try (PreparedStatement st =
        admin.prepareStatement(
            """
            WITH o AS (SELECT oid FROM pg_roles WHERE rolname = ?),
                 l AS (SELECT oid FROM pg_roles WHERE rolname = ?),
                 d AS (SELECT datacl FROM pg_database WHERE datname = ?)
            SELECT EXISTS (SELECT 1 FROM o), EXISTS (SELECT 1 FROM l),
                   EXISTS (SELECT 1 FROM pg_auth_members m, o, l
                           WHERE m.roleid = o.oid AND m.member = l.oid),
                   EXISTS (SELECT 1 FROM d),
                   EXISTS (SELECT 1 FROM pg_shdepend s, l WHERE s.refobjid = l.oid
                           AND s.refclassid = 'pg_authid'::regclass AND s.deptype = 'o'),
                   EXISTS (SELECT 1 FROM d, l, aclexplode(d.datacl) a WHERE a.grantee = l.oid)
            """)) {
      st.setString(1, names.owner());
      st.setString(2, login);
      st.setString(3, names.database());
      try (var rs = st.executeQuery()) {
        rs.next();
        return new State(
            rs.getBoolean(1),
            rs.getBoolean(2),
            rs.getBoolean(3),
            rs.getBoolean(4),
            rs.getBoolean(5),
            rs.getBoolean(6));
      }
    }
  }

  /**
   * Creates the owner role and the first login role in one round trip and one transaction, for a
   * new resource.
   *
   * @return true when both were created; false when either existed (nothing was created then)
   * @throws SQLException when the server refuses for another reason
   */
  static boolean createFresh(
      Connection admin, TenantNames names, String login, Secret verifier, int connectionLimit)
      throws SQLException {
    try {
      exec(
          admin,
          "CREATE ROLE "
              + names.owner()
              + OWNER_ATTRIBUTES
              + "; "
              + createLogin(names, login, verifier, connectionLimit));
      return true;
    } catch (SQLException e) {
      if (Sql.duplicateObject(e)) {
        return false;
      }
      throw e;
    }
  }

  /**
   * Creates or repairs the owner and the login role from what {@link #state} found, in one round
   * trip and one transaction: attributes and verifier re-applied, membership granted. The login's
   * {@code SET role} is set only once it owns nothing any more, so that its new sessions never run
   * as an owner that does not yet own its tables.
   */
  static void reconcile(
      Connection admin,
      TenantNames names,
      String login,
      Secret verifier,
      int connectionLimit,
      State s)
      throws SQLException {
    List<String> statements = new ArrayList<>();
    statements.add(
        (s.ownerExists() ? "ALTER ROLE " : "CREATE ROLE ") + names.owner() + OWNER_ATTRIBUTES);
    if (s.loginExists()) {
      statements.add("ALTER ROLE " + login + loginAttributes(verifier, connectionLimit));
      if (!s.loginIsMember()) {
        statements.add("GRANT " + names.owner() + " TO " + login);
      }
      if (!s.loginOwnsObjects()) {
        statements.add(setRole(names, login));
      }
    } else {
      statements.add(createLogin(names, login, verifier, connectionLimit));
    }
    exec(admin, String.join("; ", statements));
  }

  /**
   * Gives the owner role everything the login role owns in the database (and the database itself),
   * then makes the login's new sessions run as the owner. The login is already a member of the
   * owner, so its open sessions keep every privilege on their tables throughout. A lock held long
   * by a tenant's transaction makes this fail after a few seconds (retried), rather than stall the
   * tenant's other queries queued behind it.
   *
   * @param db an admin session in the tenant's database
   */
  static void takeOwnership(Connection db, Connection admin, TenantNames names, String login)
      throws SQLException {
    Sql.inTransaction(
        db, "SET LOCAL lock_timeout = '5s'", "REASSIGN OWNED BY " + login + " TO " + names.owner());
    exec(
        admin,
        "ALTER DATABASE "
            + names.database()
            + " OWNER TO "
            + names.owner()
            + "; "
            + setRole(names, login));
  }

  /**
   * Adds a login role (the next credential) as a member of the owner running as it; an existing one
   * gets its attributes and verifier again.
   */
  static void addLogin(
      Connection admin, TenantNames names, String login, Secret verifier, int connectionLimit)
      throws SQLException {
    try {
      exec(admin, createLogin(names, login, verifier, connectionLimit));
    } catch (SQLException e) {
      if (!Sql.duplicateObject(e)) {
        throw e;
      }
      exec(
          admin,
          "ALTER ROLE "
              + login
              + loginAttributes(verifier, connectionLimit)
              + "; GRANT "
              + names.owner()
              + " TO "
              + login
              + "; "
              + setRole(names, login));
    }
  }

  /**
   * Every login role of a resource: the members of its owner and the roles named as its logins
   * (which covers a login of the older layout not yet a member), whether they may log in now or
   * not.
   */
  static List<String> logins(Connection admin, TenantNames names) throws SQLException {
    return Sql.strings(
        admin,
        """
        SELECT r.rolname FROM pg_roles r
        WHERE r.rolname <> ? AND (r.rolname ~ ? OR r.oid IN (
            SELECT m.member FROM pg_auth_members m JOIN pg_roles o ON o.oid = m.roleid
            WHERE o.rolname = ?))
        ORDER BY r.rolname
        """,
        names.owner(),
        names.loginPattern(),
        names.owner());
  }

  /** Opens an admin session in the tenant's database, used only when one is needed. */
  @FunctionalInterface
  interface DatabaseSession {
    Connection open() throws SQLException;
  }

  /**
   * Revokes a login role: no new login ({@code NOLOGIN}), its sessions ended, then the role
   * dropped. Objects belong to the owner, so the drop normally needs nothing more; whatever the
   * login still owns or was granted (a table made after {@code RESET ROLE}) is first given to the
   * owner, in a session in the database. A login already gone is a success.
   *
   * @param admin an admin connection
   * @param database opens a session in the tenant's database when one is needed
   * @param names the resource's names
   * @param login the login role to revoke (never the owner)
   * @return true when the role existed
   */
  static boolean revoke(Connection admin, DatabaseSession database, TenantNames names, String login)
      throws SQLException {
    if (!names.isLogin(login)) {
      throw new IllegalArgumentException("not a login role of this resource");
    }
    if (!Sql.exists(admin, "SELECT 1 FROM pg_roles WHERE rolname = ?", login)) {
      return false;
    }
    exec(admin, "ALTER ROLE " + login + " NOLOGIN");
    Sql.strings( // whether anyone was there does not matter
        admin,
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            + " WHERE usename = ? AND pid <> pg_backend_pid()",
        login);
    try {
      exec(admin, "DROP ROLE IF EXISTS " + login);
    } catch (SQLException e) {
      if (!"2BP01".equals(e.getSQLState())) { // dependent_objects_still_exist
        throw e;
      }
      try (Connection db = database.open()) {
        Sql.inTransaction(
            db,
            "SET LOCAL lock_timeout = '5s'",
            "REASSIGN OWNED BY " + login + " TO " + names.owner(),
            "DROP OWNED BY " + login);
      }
      exec(admin, "DROP ROLE IF EXISTS " + login);
    }
    return true;
  }

  private static String createLogin(
      TenantNames names, String login, Secret verifier, int connectionLimit) {
    return "CREATE ROLE "
        + login
        + loginAttributes(verifier, connectionLimit)
        + " IN ROLE "
        + names.owner()
        + "; "
        + setRole(names, login);
  }

  private static String setRole(TenantNames names, String login) {
    return "ALTER ROLE " + login + " SET role = " + names.owner();
  }

  private static String loginAttributes(Secret verifier, int connectionLimit) {
    // The verifier is computed client-side: the plain password never reaches the server, so it
    // cannot appear in its logs or pg_stat_statements. PostgreSQL stores a verifier as it is.
    if (!Scram.isVerifier(verifier.reveal())) {
      throw new IllegalStateException("stored verifier has an unexpected shape");
    }
    return " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
        + " CONNECTION LIMIT "
        + connectionLimit
        + " PASSWORD '"
        + verifier.reveal()
        + "'";
  }
}
