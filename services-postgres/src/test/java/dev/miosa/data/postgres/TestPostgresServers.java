package dev.miosa.data.postgres;

import dev.miosa.data.local.LocalPostgres;

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
}
