package dev.miosa.data.postgres;

import dev.miosa.data.local.LocalPostgres;

/** The provider's record of the shared local PostgreSQL, as the provider tests place resources. */
final class LocalTenantServer {

  /** The backend id the tests use. */
  static final String ID = "pg-1";

  private LocalTenantServer() {}

  /** The server {@code pg-1}: the local cluster's superuser as admin, no pooler, no TLS. */
  static PostgresServer of(LocalPostgres pg) {
    return new PostgresServer(
        ID,
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
