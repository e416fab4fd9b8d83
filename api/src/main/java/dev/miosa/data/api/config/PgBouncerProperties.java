package dev.miosa.data.api.config;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The PgBouncer that tenants' {@code DATABASE_URL} goes through ({@code miosa.pgbouncer.*}).
 *
 * @param adminUrl its admin console ({@code MIOSA_PGBOUNCER_ADMIN_URL}, {@code
 *     postgresql://admin:password@host:6432/pgbouncer}; the user must be in PgBouncer's {@code
 *     admin_users}); unset: with an embedded tenant server a local PgBouncer is started under the
 *     data directory, with a configured tenant server tenants connect directly
 * @param configDir the directory where the control plane writes {@code databases.ini} and {@code
 *     users.txt} ({@code MIOSA_PGBOUNCER_CONFIG_DIR}; required with {@code adminUrl}); PgBouncer's
 *     {@code pgbouncer.ini} must {@code %include} the first and use the second as {@code auth_file}
 * @param publicHost host given to tenants when it differs from the admin URL's ({@code
 *     MIOSA_PGBOUNCER_PUBLIC_HOST})
 * @param publicPort port given to tenants when it differs ({@code MIOSA_PGBOUNCER_PUBLIC_PORT})
 * @param enabled whether the embedded default starts a local PgBouncer ({@code
 *     MIOSA_PGBOUNCER_ENABLED}, default true)
 */
@ConfigurationProperties("miosa.pgbouncer")
public record PgBouncerProperties(
    String adminUrl,
    Path configDir,
    String publicHost,
    Integer publicPort,
    @DefaultValue("true") boolean enabled) {

  /** Whether an external PgBouncer is configured. */
  public boolean configured() {
    return adminUrl != null && !adminUrl.isBlank();
  }

  @Override
  public String toString() { // the admin URL holds a password
    return "PgBouncerProperties[configured="
        + configured()
        + ", configDir="
        + configDir
        + ", publicHost="
        + publicHost
        + "]";
  }
}
