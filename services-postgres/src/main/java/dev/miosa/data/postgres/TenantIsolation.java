package dev.miosa.data.postgres;

import static dev.miosa.data.postgres.Sql.exec;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * The {@code CONNECT} isolation of tenant databases: {@code CONNECT} and {@code TEMPORARY} revoked
 * from {@code PUBLIC} on every database of the server, granted on a tenant's database to its owner
 * role only, and no database this code creates ever open to {@code PUBLIC}, not even between two
 * statements (see DESIGN.md beside this file).
 */
final class TenantIsolation {

  private TenantIsolation() {}

  /**
   * Opens a database made with {@code ALLOW_CONNECTIONS false} to the sessions its ACL admits,
   * after revoking CONNECT and TEMPORARY from PUBLIC, in one transaction (under the isolation
   * sweep's advisory lock, so the two never revoke on it together).
   *
   * @param admin an admin connection
   * @param database a database name made by this code (a plain identifier)
   * @throws SQLException when the server refuses
   */
  static void open(Connection admin, String database) throws SQLException {
    exec(
        admin,
        "SELECT pg_advisory_xact_lock(hashtext('miosa.revoke-public-connect'));"
            + " REVOKE CONNECT, TEMPORARY ON DATABASE "
            + database
            + " FROM PUBLIC; ALTER DATABASE "
            + database
            + " WITH ALLOW_CONNECTIONS true");
  }

  /**
   * Revokes CONNECT and TEMPORARY from PUBLIC on every connectable database of the server and
   * grants them on the tenant's own database to its owner role (whose members, the logins, inherit
   * them), in one round trip and one transaction ({@link #isolationBlock}).
   *
   * @param admin an admin connection
   * @param names the tenant's names
   * @param formerGrantees roles whose own privileges on the database are revoked (the login of the
   *     older layout, which now connects as a member of the owner)
   * @throws SQLException when the server refuses
   */
  static void isolate(Connection admin, TenantNames names, List<String> formerGrantees)
      throws SQLException {
    exec(
        admin,
        """
        DO $miosa$
        DECLARE d text;
        BEGIN
          %s
        END
        $miosa$
        """
            .formatted(isolationBlock(names, formerGrantees)));
  }

  /**
   * The PL/pgSQL statements of the isolation, for a {@code DO} block that declares {@code d text}:
   * the sweep that revokes CONNECT and TEMPORARY from PUBLIC on every connectable database that
   * still grants them, then the grant on the tenant's database to its owner role, the revokes from
   * {@code formerGrantees}, and {@code ALLOW_CONNECTIONS true} on it (a database is created closed,
   * see {@link #open}; one left closed by a crash is opened here, after the sweep). Two provisions
   * at once would both find a database created by either and revoke on it together, which
   * PostgreSQL refuses ("tuple concurrently updated"); so the block first takes an advisory lock on
   * the tenant server, held to the end of the transaction.
   *
   * @param names the tenant's names
   * @param formerGrantees roles whose own privileges on the database are revoked
   * @return the statements
   */
  static String isolationBlock(TenantNames names, List<String> formerGrantees) {
    StringBuilder grants =
        new StringBuilder("GRANT CONNECT, TEMPORARY ON DATABASE ")
            .append(names.database())
            .append(" TO ")
            .append(names.owner())
            .append(';');
    // A database created but not yet opened when a crash came is opened now, after the sweep.
    grants
        .append(" ALTER DATABASE ")
        .append(names.database())
        .append(" WITH ALLOW_CONNECTIONS true;");
    for (String role : formerGrantees) {
      grants.append(" REVOKE ALL ON DATABASE ").append(names.database()).append(" FROM ");
      grants.append(role).append(';');
    }
    return """
        PERFORM pg_advisory_xact_lock(hashtext('miosa.revoke-public-connect'));
        FOR d IN SELECT quote_ident(db.datname) FROM pg_database db
                 WHERE db.datname <> 'template0' AND (db.datacl IS NULL OR EXISTS
                   (SELECT 1 FROM aclexplode(db.datacl) a WHERE a.grantee = 0
                    AND a.privilege_type IN ('CONNECT', 'TEMPORARY'))) LOOP
          EXECUTE 'REVOKE CONNECT, TEMPORARY ON DATABASE ' || d || ' FROM PUBLIC';
        END LOOP;
        %s
        """
        .formatted(grants);
  }
}
