package dev.miosa.data.api.config;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Backups of Postgres data services ({@code miosa.postgres.backups.*}).
 *
 * @param enabled whether backups are offered ({@code MIOSA_POSTGRES_BACKUPS_ENABLED}, default true)
 * @param url the S3-compatible store of the platform bucket ({@code MIOSA_POSTGRES_BACKUPS_URL});
 *     default: the object store of storage data services ({@code MIOSA_STORAGE_URL}, or the
 *     embedded S3Proxy)
 * @param accessKey its access key ({@code MIOSA_POSTGRES_BACKUPS_ACCESS_KEY}, required with {@code
 *     url})
 * @param secretKey its secret key ({@code MIOSA_POSTGRES_BACKUPS_SECRET_KEY}, required with {@code
 *     url})
 * @param region the region signatures name ({@code MIOSA_POSTGRES_BACKUPS_REGION}, default {@code
 *     us-east-1})
 * @param bucket the platform bucket ({@code MIOSA_POSTGRES_BACKUPS_BUCKET}, default {@code
 *     miosa-platform-backups}; created when missing)
 * @param deletedRetention how long the backups of a deleted database are kept ({@code
 *     MIOSA_POSTGRES_BACKUPS_DELETED_RETENTION}, default 7 days)
 * @param schedulerInterval how often due scheduled backups are looked for ({@code
 *     MIOSA_POSTGRES_BACKUPS_SCHEDULER_INTERVAL}, default 30s)
 */
@ConfigurationProperties("miosa.postgres.backups")
public record PostgresBackupProperties(
    @DefaultValue("true") boolean enabled,
    String url,
    String accessKey,
    String secretKey,
    @DefaultValue("us-east-1") String region,
    @DefaultValue("miosa-platform-backups") String bucket,
    @DefaultValue("7d") Duration deletedRetention,
    @DefaultValue("30s") Duration schedulerInterval) {

  @Override
  public String toString() {
    return "PostgresBackupProperties[url=" + url + ", bucket=" + bucket + "]";
  }
}
