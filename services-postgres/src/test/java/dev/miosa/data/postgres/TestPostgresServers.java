package dev.miosa.data.postgres;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.LocalPgBouncer;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.postgres.pooler.PgBouncer;
import dev.miosa.data.postgres.pooler.PgBouncerRegistry;
import javax.sql.DataSource;

/** The provider's record of a local test PostgreSQL server, for the tests of every package. */
public final class TestPostgresServers {

  private TestPostgresServers() {}

  /**
   * A server record reaching a local PostgreSQL directly as its superuser, without TLS.
   *
   * @param id the backend id, e.g. {@code pg-1}
   * @param pg the running server
   * @return the record
   */
  public static PostgresServer of(String id, LocalPostgres pg) {
    return new PostgresServer(
        id,
        pg.host(),
        pg.port(),
        LocalPostgres.SUPERUSER,
        pg.superuserPassword(),
        "postgres",
        null,
        0,
        "disable");
  }

  /**
   * A registry of a local test PgBouncer reached without TLS, its files rewritten from the records
   * of a control-plane database, synced once.
   *
   * @param bouncer the running PgBouncer (its own per test class: its files follow one set of
   *     records)
   * @param controlPlane a migrated control-plane database
   * @return the registry
   */
  public static PgBouncerRegistry registry(LocalPgBouncer bouncer, DataSource controlPlane) {
    PgBouncerRegistry registry =
        new PgBouncerRegistry(
            new PgBouncer(
                bouncer.host(),
                bouncer.port(),
                bouncer.adminUser(),
                bouncer.adminPassword(),
                "disable",
                null,
                0,
                bouncer.configDir()),
            controlPlane,
            SecretCipher.fromBase64(SecretCipher.generateKeyBase64()),
            PgTools.locate(null));
    registry.sync();
    return registry;
  }
}
