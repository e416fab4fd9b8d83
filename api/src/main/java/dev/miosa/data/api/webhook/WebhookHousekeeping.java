package dev.miosa.data.api.webhook;

import dev.miosa.data.provisioner.Periodic;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

/**
 * The webhook outbox's metrics and retention. Every 15 s it reads the queue's figures for the
 * gauges; at most hourly it purges deliveries that ended ({@code delivered} or {@code failed})
 * longer than the retention window ago, then events left without deliveries that are older than the
 * window, on one replica at a time (a transaction-level advisory lock; a replica that does not get
 * it skips the round).
 */
public final class WebhookHousekeeping implements DeliveryWorker.Counters, AutoCloseable {

  private static final Duration REFRESH = Duration.ofSeconds(15);
  private static final Duration PURGE_EVERY = Duration.ofHours(1);

  private final JdbcClient jdbc;
  private final TransactionOperations tx;
  private final Duration retention;
  private final AtomicLong pending = new AtomicLong();
  private final AtomicReference<Double> oldestAge = new AtomicReference<>(0.0);
  private final Counter sent;
  private final Counter failed;
  private long lastPurge;
  private ScheduledExecutorService timer;

  /**
   * @param jdbc the control-plane store
   * @param tx transactions on it
   * @param retention how long ended deliveries are kept
   * @param registry where the meters go
   */
  public WebhookHousekeeping(
      JdbcClient jdbc, TransactionOperations tx, Duration retention, MeterRegistry registry) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.retention = retention;
    Gauge.builder("miosa.webhook.deliveries.pending", pending, AtomicLong::get)
        .description("Webhook deliveries not yet delivered or failed (waiting, retrying, sending)")
        .register(registry);
    Gauge.builder("miosa.webhook.deliveries.oldest.pending.age", oldestAge, AtomicReference::get)
        .description("Age of the oldest webhook delivery not yet delivered or failed (0 when none)")
        .baseUnit("seconds")
        .register(registry);
    this.sent =
        Counter.builder("miosa.webhook.deliveries.sent")
            .description("Webhook deliveries delivered (a 2xx answer) by this replica")
            .register(registry);
    this.failed =
        Counter.builder("miosa.webhook.deliveries.failed")
            .description(
                "Webhook deliveries that failed for good (retries exhausted) on this replica")
            .register(registry);
  }

  @Override
  public void delivered() {
    sent.increment();
  }

  @Override
  public void failed() {
    failed.increment();
  }

  /** Starts the periodic refresh and purge. */
  public synchronized void start() {
    if (timer == null) {
      timer =
          Periodic.start("miosa-webhook-housekeeping", Duration.ofSeconds(1), REFRESH, this::round);
    }
  }

  private void round() {
    refresh();
    long now = System.nanoTime();
    if (lastPurge == 0 || now - lastPurge >= PURGE_EVERY.toNanos()) {
      lastPurge = now;
      purge(retention);
    }
  }

  /** Reads the queue's figures for the gauges. */
  public void refresh() {
    jdbc.sql(
            """
            SELECT count(*) AS n, coalesce(extract(epoch FROM now() - min(created_at)), 0) AS age
            FROM webhook_deliveries WHERE state IN ('pending', 'sending')
            """)
        .query(
            rs -> {
              pending.set(rs.getLong("n"));
              oldestAge.set(rs.getDouble("age"));
            });
  }

  /**
   * Deletes ended deliveries older than the window and events older than it that have no delivery
   * left, unless another replica is purging now.
   *
   * @param window how long ended deliveries are kept
   * @return rows deleted (deliveries and events), or -1 when another replica held the lock
   */
  public int purge(Duration window) {
    Integer n =
        tx.execute(
            status -> {
              boolean mine =
                  jdbc.sql("SELECT pg_try_advisory_xact_lock(hashtext('miosa.webhook-retention'))")
                      .query(Boolean.class)
                      .single();
              if (!mine) {
                return -1;
              }
              double secs = window.toMillis() / 1000.0;
              int deliveries =
                  jdbc.sql(
                          """
                          DELETE FROM webhook_deliveries WHERE state IN ('delivered', 'failed')
                            AND finished_at < now() - make_interval(secs => :secs)
                          """)
                      .param("secs", secs)
                      .update();
              int events =
                  jdbc.sql(
                          """
                          DELETE FROM webhook_events e
                          WHERE e.created_at < now() - make_interval(secs => :secs)
                            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id)
                          """)
                      .param("secs", secs)
                      .update();
              return deliveries + events;
            });
    return n == null ? -1 : n;
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
