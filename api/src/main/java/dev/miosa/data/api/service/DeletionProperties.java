package dev.miosa.data.api.service;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Soft delete of data services and environments, bound from {@code miosa.deleted.*} (environment:
 * {@code MIOSA_DELETED_*}).
 *
 * @param retention how long a deleted data service or environment keeps its data and can be
 *     undeleted before it is purged ({@code MIOSA_DELETED_RETENTION}, default 7 days)
 * @param sweepInterval how often a replica looks for deleted ones whose window closed ({@code
 *     MIOSA_DELETED_SWEEP_INTERVAL}, default 1 minute)
 */
@ConfigurationProperties("miosa.deleted")
public record DeletionProperties(
    @DefaultValue("7d") Duration retention, @DefaultValue("1m") Duration sweepInterval) {

  /** Checks the settings. */
  public DeletionProperties {
    if (retention.isNegative()) {
      throw new IllegalArgumentException("miosa.deleted.retention must not be negative");
    }
    if (sweepInterval.isNegative() || sweepInterval.isZero()) {
      throw new IllegalArgumentException("miosa.deleted.sweep-interval must be positive");
    }
  }
}
