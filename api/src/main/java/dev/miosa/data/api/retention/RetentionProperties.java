package dev.miosa.data.api.retention;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How long control-plane records are kept, bound from {@code miosa.retention.*} (environment:
 * {@code MIOSA_RETENTION_*}). Each window counts from the moment the record stopped mattering.
 *
 * @param operations finished (succeeded or failed) operations, from {@code finished_at} ({@code
 *     MIOSA_RETENTION_OPERATIONS}, default 30 days)
 * @param idempotencyKeys Idempotency-Key records, from their first request ({@code
 *     MIOSA_RETENTION_IDEMPOTENCY_KEYS}, default 24 hours: a retry after that runs again)
 * @param runtimeTokens expired or revoked runtime tokens, from the expiry or revocation ({@code
 *     MIOSA_RETENTION_RUNTIME_TOKENS}, default 7 days)
 * @param audit audit records, from their time ({@code MIOSA_RETENTION_AUDIT}, default 400 days; the
 *     longest window)
 * @param interval how often a replica runs the purge ({@code MIOSA_RETENTION_INTERVAL}, default 1
 *     hour); one replica at a time does the work
 * @param batch rows deleted per statement, so no transaction holds many locks for long
 */
@ConfigurationProperties("miosa.retention")
public record RetentionProperties(
    @DefaultValue("30d") Duration operations,
    @DefaultValue("24h") Duration idempotencyKeys,
    @DefaultValue("7d") Duration runtimeTokens,
    @DefaultValue("400d") Duration audit,
    @DefaultValue("1h") Duration interval,
    @DefaultValue("5000") int batch) {

  /** Checks the settings. */
  public RetentionProperties {
    for (Duration d : new Duration[] {operations, idempotencyKeys, runtimeTokens, audit}) {
      if (d.isNegative()) {
        throw new IllegalArgumentException("miosa.retention windows must not be negative");
      }
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("miosa.retention.interval must be positive");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("miosa.retention.batch must be at least 1");
    }
  }
}
