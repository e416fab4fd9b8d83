package dev.miosa.data.postgres.pooler;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.postgres.PostgresServer;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Where a PgBouncer is and how the control plane manages it.
 *
 * @param adminHost host of PgBouncer as the control plane reaches it (admin console and login
 *     checks)
 * @param adminPort its port
 * @param adminUser a user listed in PgBouncer's {@code admin_users}
 * @param adminPassword its password (the control plane writes its SCRAM verifier into the auth
 *     file)
 * @param sslmode the {@code sslmode} the control plane uses towards PgBouncer
 * @param publicHost host tenants are given in {@code DATABASE_URL}
 * @param publicPort port tenants are given
 * @param configDir directory of the generated {@code databases.ini} (included by {@code
 *     pgbouncer.ini}) and {@code users.txt} (its {@code auth_file}); the control plane owns both
 */
public record PgBouncer(
    String adminHost,
    int adminPort,
    String adminUser,
    Secret adminPassword,
    String sslmode,
    String publicHost,
    int publicPort,
    Path configDir) {

  /** The generated database list's file name. */
  public static final String DATABASES_FILE = "databases.ini";

  /** The generated auth file's name. */
  public static final String USERS_FILE = "users.txt";

  /** Checks the values and fills in defaults. */
  public PgBouncer {
    Objects.requireNonNull(adminHost, "adminHost");
    Objects.requireNonNull(adminUser, "adminUser");
    Objects.requireNonNull(adminPassword, "adminPassword");
    Objects.requireNonNull(configDir, "configDir");
    if (sslmode == null || sslmode.isBlank()) {
      sslmode = "prefer";
    }
    if (publicHost == null || publicHost.isBlank()) {
      publicHost = adminHost;
    }
    if (publicPort <= 0) {
      publicPort = adminPort;
    }
  }

  /**
   * Reads the admin console URL {@code postgresql://user:password@host:6432/pgbouncer}.
   *
   * @param adminUrl the URL (percent-encoded user and password)
   * @param configDir directory of the generated files
   * @param publicHost host for tenants, or null for the URL's
   * @param publicPort port for tenants, or 0 for the URL's
   * @return the settings
   * @throws IllegalArgumentException when the URL lacks user, password or host (never quoting the
   *     password)
   */
  public static PgBouncer parse(
      String adminUrl, Path configDir, String publicHost, int publicPort) {
    PostgresServer s = PostgresServer.parse("pgbouncer", adminUrl);
    return new PgBouncer(
        s.host(),
        s.port(),
        s.adminUser(),
        s.adminPassword(),
        s.sslmode(),
        publicHost,
        publicPort,
        configDir);
  }

  @Override
  public String toString() {
    return "PgBouncer["
        + adminHost
        + ":"
        + adminPort
        + " public "
        + publicHost
        + ":"
        + publicPort
        + "]";
  }
}
