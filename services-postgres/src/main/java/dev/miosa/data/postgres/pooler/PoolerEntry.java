package dev.miosa.data.postgres.pooler;

import dev.miosa.data.credentials.Secret;
import java.util.Objects;

/**
 * One tenant database as PgBouncer serves it: a {@code [databases]} entry without {@code user=} (so
 * PgBouncer logs into the server as the connecting tenant role) and the role's SCRAM verifier in
 * the auth file.
 *
 * @param database the database name, as clients name it and as it is on the server
 * @param role the tenant role
 * @param host the server's host as PgBouncer reaches it
 * @param port the server's port
 * @param poolMode {@code transaction} or {@code session}
 * @param poolSize server connections per pool ({@code pool_size}, also {@code max_db_connections})
 * @param maxClientConnections client connections to this database ({@code
 *     max_db_client_connections}, written only for PgBouncer 1.24 and newer)
 * @param scramVerifier the role's verifier, identical to the server's
 */
public record PoolerEntry(
    String database,
    String role,
    String host,
    int port,
    String poolMode,
    int poolSize,
    int maxClientConnections,
    Secret scramVerifier) {

  /** Checks that every value can be written into PgBouncer's files without quoting. */
  public PoolerEntry {
    Objects.requireNonNull(scramVerifier, "scramVerifier");
    if (!database.matches("[a-z_][a-z0-9_]{0,62}") || !role.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("database and role must be plain lowercase identifiers");
    }
    if (!host.matches("[A-Za-z0-9._:-]{1,253}")) {
      throw new IllegalArgumentException("the server host cannot be written into databases.ini");
    }
    if (!poolMode.equals("transaction") && !poolMode.equals("session")) {
      throw new IllegalArgumentException("poolMode must be transaction or session");
    }
    if (!Scram.isVerifier(scramVerifier.reveal())) {
      throw new IllegalArgumentException("not a SCRAM-SHA-256 verifier");
    }
  }
}
