package dev.miosa.data.api.retention;

import dev.miosa.data.provisioner.Periodic;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Deletes control-plane records past their window ({@link RetentionProperties}): finished
 * operations, Idempotency-Key records, expired or revoked runtime tokens, audit records. Every
 * replica schedules it; each batch runs in a transaction that first takes {@code
 * pg_try_advisory_xact_lock}, so one replica at a time purges and the others skip the run. Each
 * purged count is logged and counted ({@code miosa.retention.purged{record=...}}).
 */
@Component
public class RecordRetention implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(RecordRetention.class);

  /** The advisory lock key all replicas contend for. */
  private static final String LOCK = "miosa.retention";

  private record Rule(String name, String table, String due, Duration window) {}

  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final RetentionProperties settings;
  private final MeterRegistry meters;
  private ScheduledExecutorService timer;

  RecordRetention(
      JdbcClient jdbc,
      PlatformTransactionManager transactions,
      RetentionProperties settings,
      MeterRegistry meters) {
    this.jdbc = jdbc;
    this.tx = new TransactionTemplate(transactions);
    this.settings = settings;
    this.meters = meters;
  }

  private Rule[] rules() {
    return new Rule[] {
      new Rule(
          "operations",
          "operations",
          "state IN ('succeeded', 'failed') AND finished_at < now() - make_interval(secs => :secs)",
          settings.operations()),
      new Rule(
          "idempotency_keys",
          "idempotency_keys",
          "created_at < now() - make_interval(secs => :secs)",
          settings.idempotencyKeys()),
      new Rule(
          "runtime_tokens",
          "runtime_tokens",
          "least(expires_at, coalesce(revoked_at, expires_at)) < now() - make_interval(secs => :secs)",
          settings.runtimeTokens()),
      new Rule("audit", "audit_log", "at < now() - make_interval(secs => :secs)", settings.audit()),
    };
  }

  @EventListener(ApplicationReadyEvent.class)
  synchronized void start() {
    if (timer == null) {
      timer =
          Periodic.start(
              "miosa-record-retention", Duration.ofMinutes(1), settings.interval(), this::run);
    }
  }

  /**
   * Purges every kind of record past its window, in batches.
   *
   * @return rows deleted per record kind; empty when another replica holds the lock
   */
  public Map<String, Long> run() {
    Map<String, Long> purged = new LinkedHashMap<>();
    for (Rule rule : rules()) {
      long total = 0;
      while (true) {
        Integer n = tx.execute(status -> purgeBatch(rule));
        if (n == null) { // another replica is purging
          return purged;
        }
        total += n;
        if (n < settings.batch()) {
          break;
        }
      }
      purged.put(rule.name(), total);
      if (total > 0) {
        meters.counter("miosa.retention.purged", "record", rule.name()).increment(total);
        log.info("retention: purged {} {} older than {}", total, rule.name(), rule.window());
      }
    }
    return purged;
  }

  /** One batch of a rule, or null when the lock is held by another replica. */
  private Integer purgeBatch(Rule rule) {
    boolean locked =
        jdbc.sql("SELECT pg_try_advisory_xact_lock(hashtext(:lock))")
            .param("lock", LOCK)
            .query(Boolean.class)
            .single();
    if (!locked) {
      return null;
    }
    // ctid: the tables have different keys; the batch is chosen and deleted in one statement.
    return jdbc.sql(
            "DELETE FROM "
                + rule.table()
                + " WHERE ctid = ANY (ARRAY(SELECT ctid FROM "
                + rule.table()
                + " WHERE "
                + rule.due()
                + " LIMIT :batch))")
        .param("secs", (double) rule.window().toMillis() / 1000.0)
        .param("batch", settings.batch())
        .update();
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
