package dev.miosa.data.postgres.pooler;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.credentials.SecretCipher;
import java.util.List;
import java.util.function.BiFunction;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The control plane's record of PgBouncer registrations (table {@code pgbouncer_entries}, migration
 * {@code V10__pgbouncer.sql}): what the generated files must hold, kept so that they can be
 * rewritten whole at any time. Verifiers are stored AES-256-GCM encrypted.
 */
final class PoolerEntryStore {

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final SecretCipher cipher;

  PoolerEntryStore(DataSource controlPlane, SecretCipher cipher) {
    this.jdbc = JdbcClient.create(controlPlane);
    this.tx = new TransactionTemplate(new DataSourceTransactionManager(controlPlane));
    this.cipher = cipher;
  }

  void upsert(String resourceId, PoolerEntry e) {
    jdbc.sql(
            """
            INSERT INTO pgbouncer_entries (database, role, resource_id, host, port, pool_mode, pool_size,
                                           max_client_connections, scram_verifier)
            VALUES (:db, :role, :res, :host, :port, :mode, :size, :clients, :verifier)
            ON CONFLICT (database) DO UPDATE SET role = excluded.role, resource_id = excluded.resource_id,
                host = excluded.host, port = excluded.port, pool_mode = excluded.pool_mode,
                pool_size = excluded.pool_size, max_client_connections = excluded.max_client_connections,
                scram_verifier = excluded.scram_verifier, updated_at = now()
            """)
        .param("db", e.database())
        .param("role", e.role())
        .param("res", resourceId)
        .param("host", e.host())
        .param("port", e.port())
        .param("mode", e.poolMode())
        .param("size", e.poolSize())
        .param("clients", e.maxClientConnections())
        .param("verifier", cipher.encrypt(e.scramVerifier(), context(e.database())))
        .update();
  }

  /** Removes a database's entry and every further login of it. */
  void delete(String database) {
    tx.executeWithoutResult(
        status -> {
          jdbc.sql("DELETE FROM pgbouncer_entries WHERE database = :db")
              .param("db", database)
              .update();
          jdbc.sql("DELETE FROM pgbouncer_logins WHERE database = :db")
              .param("db", database)
              .update();
        });
  }

  /** Records further login roles of a database (or their new verifiers). */
  void upsertLogins(String resourceId, String database, List<Login> logins) {
    tx.executeWithoutResult(
        status -> {
          for (Login l : logins) {
            jdbc.sql(
                    """
                    INSERT INTO pgbouncer_logins (role, database, resource_id, scram_verifier)
                    VALUES (:role, :db, :res, :verifier)
                    ON CONFLICT (role) DO UPDATE SET database = excluded.database,
                        resource_id = excluded.resource_id, scram_verifier = excluded.scram_verifier,
                        updated_at = now()
                    """)
                .param("role", l.role())
                .param("db", database)
                .param("res", resourceId)
                .param("verifier", cipher.encrypt(l.scramVerifier(), loginContext(l.role())))
                .update();
          }
        });
  }

  /**
   * Retires a login role: in one transaction, the database's entry is recorded with the login that
   * stays, and the retired one's row (if any) is deleted.
   */
  void retireLogin(String resourceId, PoolerEntry staying, String retired) {
    tx.executeWithoutResult(
        status -> {
          upsert(resourceId, staying);
          jdbc.sql("DELETE FROM pgbouncer_logins WHERE role = :role")
              .param("role", retired)
              .update();
        });
  }

  /**
   * Runs {@code work} with every entry while holding a transaction-scoped advisory lock, so that
   * replicas rewriting the files take turns and each rewrite sees every registration committed
   * before it began.
   */
  <T> T withAllLocked(Runnable beforeRead, BiFunction<List<PoolerEntry>, List<Login>, T> work) {
    return tx.execute(
        status -> {
          jdbc.sql(
                  "SELECT count(*) FROM (SELECT pg_advisory_xact_lock(hashtext('miosa.pgbouncer.files'))) l")
              .query(Long.class)
              .single();
          beforeRead.run();
          return work.apply(all(), logins());
        });
  }

  java.util.Set<String> databases() {
    return new java.util.TreeSet<>(
        jdbc.sql("SELECT database FROM pgbouncer_entries").query(String.class).list());
  }

  List<PoolerEntry> all() {
    return jdbc.sql("SELECT * FROM pgbouncer_entries ORDER BY database")
        .query(
            (rs, n) ->
                new PoolerEntry(
                    rs.getString("database"),
                    rs.getString("role"),
                    rs.getString("host"),
                    rs.getInt("port"),
                    rs.getString("pool_mode"),
                    rs.getInt("pool_size"),
                    rs.getInt("max_client_connections"),
                    decrypt(rs.getString("scram_verifier"), rs.getString("database"))))
        .list();
  }

  List<Login> logins() {
    return jdbc.sql("SELECT role, scram_verifier FROM pgbouncer_logins ORDER BY database, role")
        .query(
            (rs, n) ->
                new Login(
                    rs.getString("role"),
                    cipher.decrypt(
                        rs.getString("scram_verifier"), loginContext(rs.getString("role")))))
        .list();
  }

  private static String loginContext(String role) {
    return "pgbouncer/" + role + "/login-scram";
  }

  private Secret decrypt(String stored, String database) {
    return cipher.decrypt(stored, context(database));
  }

  private static String context(String database) {
    return "pgbouncer/" + database + "/scram";
  }
}
