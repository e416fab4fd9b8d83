package dev.miosa.data.api.ops;

import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationEvents;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Metrics read from the control-plane store (operations by type and state, the queue's depth and
 * the age of its oldest pending operation, the age of each environment's last Postgres backup),
 * refreshed by {@link #refresh()}; and counters of what the operation workers report (failed
 * attempts by error code, lost leases).
 */
public final class ControlPlaneMetrics implements OperationEvents {

  private final JdbcClient jdbc;
  private final MeterRegistry registry;
  private final MultiGauge operations;
  private final MultiGauge backupAge;
  private final AtomicLong queueDepth = new AtomicLong();
  private final AtomicReference<Double> oldestPendingAge = new AtomicReference<>(0.0);
  private final Counter leasesLost;

  /**
   * @param jdbc the control-plane store
   * @param registry where the meters go
   */
  public ControlPlaneMetrics(JdbcClient jdbc, MeterRegistry registry) {
    this.jdbc = jdbc;
    this.registry = registry;
    this.operations =
        MultiGauge.builder("miosa.operations")
            .description("Operations in the control-plane store by type and state")
            .register(registry);
    this.backupAge =
        MultiGauge.builder("miosa.postgres.backup.age")
            .description("Time since the last succeeded backup of each Postgres environment")
            .baseUnit("seconds")
            .register(registry);
    Gauge.builder("miosa.operations.queue.depth", queueDepth, AtomicLong::get)
        .description("Pending operations (waiting for a worker or for their retry time)")
        .register(registry);
    Gauge.builder("miosa.operations.queue.oldest.age", oldestPendingAge, AtomicReference::get)
        .description("Age of the oldest pending operation (0 when none)")
        .baseUnit("seconds")
        .register(registry);
    this.leasesLost =
        Counter.builder("miosa.operations.leases.lost")
            .description("Operation leases this replica lost while running them")
            .register(registry);
    // The family exists before the first failure; each error code gets its own series.
    failures("PROVISIONING_FAILED");
  }

  private Counter failures(String code) {
    return Counter.builder("miosa.operations.attempt.failures")
        .description("Failed operation attempts by error code")
        .tag("code", code)
        .register(registry);
  }

  @Override
  public void attemptFailed(Operation op, String errorCode) {
    failures(errorCode == null ? "UNKNOWN" : errorCode).increment();
  }

  @Override
  public void leaseLost(Operation op) {
    leasesLost.increment();
  }

  /** Reads the store's figures again (a few aggregate queries). */
  public void refresh() {
    operations.register(
        rows(
            "SELECT type AS a, state AS b, count(*) AS v FROM operations GROUP BY type, state",
            "type",
            "state"),
        true);
    double[] queue =
        jdbc.sql(
                "SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0)"
                    + " AS age FROM operations WHERE state = 'pending'")
            .query((rs, i) -> new double[] {rs.getLong("n"), rs.getDouble("age")})
            .single();
    queueDepth.set((long) queue[0]);
    oldestPendingAge.set(queue[1]);
    backupAge.register(
        rows(
            "SELECT resource_id AS a, environment_id AS b, extract(epoch FROM now() -"
                + " max(finished_at)) AS v FROM postgres_backups WHERE state = 'succeeded' AND"
                + " expires_at IS NULL GROUP BY resource_id, environment_id",
            "resource",
            "environment"),
        true);
  }

  /** Rows of a query answering columns {@code a}, {@code b} (two tags) and {@code v}. */
  private List<MultiGauge.Row<Number>> rows(String sql, String tagA, String tagB) {
    return jdbc.sql(sql)
        .query(
            (rs, i) ->
                MultiGauge.Row.of(
                    Tags.of(tagA, rs.getString("a"), tagB, rs.getString("b")),
                    (Number) rs.getDouble("v")))
        .list();
  }
}
