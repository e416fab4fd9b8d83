package dev.miosa.data.api.config;

import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Tenant PostgreSQL servers ({@code miosa.postgres.*}).
 *
 * @param url one tenant server's admin URL ({@code MIOSA_POSTGRES_URL}, {@code
 *     postgresql://admin:password@host:5432/postgres?sslmode=require}); unset and no {@code
 *     servers}: the embedded default starts a local cluster
 * @param publicHost host given to tenants when it differs from the URL's ({@code
 *     MIOSA_POSTGRES_PUBLIC_HOST})
 * @param publicPort port given to tenants when it differs ({@code MIOSA_POSTGRES_PUBLIC_PORT})
 * @param servers further servers as {@code id=url} pairs ({@code
 *     miosa.postgres.servers[0]=pg-2=postgresql://...})
 * @param toolsDir the directory of {@code psql}, {@code pg_dump} and {@code pg_restore} ({@code
 *     MIOSA_POSTGRES_TOOLS_DIR}; default: the newest {@code /usr/lib/postgresql/<major>/bin}, then
 *     {@code PATH}); their major version must be at least the tenant servers'
 * @param spareDatabases empty databases kept ready per tenant server, so that an attach renames one
 *     instead of waiting for {@code CREATE DATABASE} ({@code MIOSA_POSTGRES_SPARE_DATABASES}, 0 to
 *     64, default {@value dev.miosa.data.postgres.PostgresSpares#DEFAULT_PER_SERVER}; 0 turns them
 *     off and drops those left)
 */
@ConfigurationProperties("miosa.postgres")
public record PostgresProperties(
    String url,
    String publicHost,
    Integer publicPort,
    List<String> servers,
    java.nio.file.Path toolsDir,
    Integer spareDatabases) {

  /** The spare databases per server: the setting, or the default. */
  public int spareDatabasesOrDefault() {
    return spareDatabases == null
        ? dev.miosa.data.postgres.PostgresSpares.DEFAULT_PER_SERVER
        : spareDatabases;
  }

  /** Whether no tenant server is configured. */
  public boolean embedded() {
    return (url == null || url.isBlank()) && (servers == null || servers.isEmpty());
  }
}
