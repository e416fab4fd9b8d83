package dev.miosa.data.api.audit;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import jakarta.annotation.PreDestroy;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The audit trail of credential reads: who (actor), what (action), which project environment, when.
 * Every read is counted; reads of the same environment by the same actor are written as one row
 * with the first and last time and the number of reads, so a fleet booting at once costs the
 * control-plane store a few rows a second instead of one insert per request. Writing happens off
 * the request path, every 250 ms.
 *
 * <p>No record is dropped. A write that fails (the control-plane store restarting, unreachable) is
 * retried with backoff (doubling up to 5 s) until it succeeds, and what it held stays in the
 * backlog, merged with newer reads of the same key. Reads are counted into their row as they are
 * recorded, so memory grows with the rows waiting, not with the reads: a fleet fetching one
 * environment at line rate holds one counter. The backlog is bounded: once {@code capacity} rows
 * wait unwritten, a read that would start another one is refused with {@code UNAVAILABLE} ({@code
 * 503} and {@code Retry-After}), so a credential is never handed out without its read being
 * recorded. {@link #stats()} shows the backlog, the age of its oldest read and the failed writes. A
 * clean shutdown keeps retrying the backlog for up to 30 s before the store closes.
 */
@Component
public class AuditLog {

  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final long FLUSH_MILLIS = 250;
  private static final long MAX_BACKOFF_MILLIS = 5000;

  /** Rows waiting unwritten beyond which {@link #record} refuses a new one, by default. */
  public static final int DEFAULT_CAPACITY = 100_000;

  /**
   * What is counted together.
   *
   * @param actor {@code admin} or {@code runtime-token:<id>}
   * @param action {@code variables.read}, {@code runtime-token.create}, ...
   * @param projectId the project, or null
   * @param environmentId the environment, or null
   */
  public record Key(String actor, String action, String projectId, String environmentId) {}

  /**
   * How the writer is doing.
   *
   * @param backlog reads recorded but not yet written
   * @param oldestPendingMillis how long the oldest unwritten read has waited (0 when none)
   * @param failedWrites writes that failed since start (each is retried)
   * @param refused reads refused because the backlog was full
   */
  public record Stats(long backlog, long oldestPendingMillis, long failedWrites, long refused) {}

  /** Reads of one key not yet written; changed only inside the map's atomic operations. */
  static final class Tally {
    long first;
    long last;
    long count;

    Tally(long at) {
      this.first = at;
      this.last = at;
      this.count = 1;
    }

    Tally add(long at) {
      first = Math.min(first, at);
      last = Math.max(last, at);
      count++;
      return this;
    }

    Tally merge(Tally other) {
      first = Math.min(first, other.first);
      last = Math.max(last, other.last);
      count += other.count;
      return this;
    }
  }

  private final JdbcTemplate jdbc;
  private final int capacity;
  // Request threads count into their key's tally (compute holds only that key's bin, briefly);
  // the writer takes tallies out with remove, so a read lands either in the row being written or
  // in a new tally, never in between.
  private final ConcurrentHashMap<Key, Tally> pending = new ConcurrentHashMap<>();
  // Reads recorded and not yet written.
  private final AtomicLong unwritten = new AtomicLong();
  private final AtomicLong failedWrites = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private volatile long oldestPending; // epoch millis of the oldest unwritten read; 0 when none
  private final Thread writer;
  private volatile boolean running = true;

  @Autowired
  AuditLog(JdbcTemplate jdbc) {
    this(jdbc, DEFAULT_CAPACITY);
  }

  /**
   * @param jdbc the control-plane store
   * @param capacity rows (actor, action, project, environment) waiting unwritten beyond which
   *     {@link #record} refuses a read that would start another
   */
  AuditLog(JdbcTemplate jdbc, int capacity) {
    this.jdbc = jdbc;
    this.capacity = capacity;
    this.writer = new Thread(this::loop, "miosa-audit-writer");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /**
   * Records one event.
   *
   * @param actor who
   * @param action what
   * @param projectId which project
   * @param environmentId which environment
   * @throws MiosaException {@code UNAVAILABLE} when the backlog is full (the store has been
   *     unwritable for a while): the read must not happen unrecorded
   */
  public void record(String actor, String action, String projectId, String environmentId) {
    long now = System.currentTimeMillis();
    boolean[] full = {false};
    pending.compute(
        new Key(actor, action, projectId, environmentId),
        (k, t) -> {
          if (t != null) {
            return t.add(now);
          }
          if (pending.size() >= capacity) {
            full[0] = true;
            return null;
          }
          return new Tally(now);
        });
    if (full[0]) {
      refused.incrementAndGet();
      throw new MiosaException(
          ErrorCode.UNAVAILABLE,
          "credential reads cannot be audited right now; retry",
          List.of(),
          Map.of(),
          Duration.ofSeconds(5),
          null);
    }
    unwritten.incrementAndGet();
    if (oldestPending == 0) {
      oldestPending = now;
    }
  }

  /** The writer's backlog and failures, for metrics and health. */
  public Stats stats() {
    long oldest = oldestPending;
    return new Stats(
        unwritten.get(),
        oldest == 0 ? 0 : Math.max(0, System.currentTimeMillis() - oldest),
        failedWrites.get(),
        refused.get());
  }

  private void loop() {
    long delay = FLUSH_MILLIS;
    while (running) {
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        if (!running) {
          break;
        }
      }
      boolean done;
      try {
        done = flushOnce();
      } catch (RuntimeException | LinkageError | AssertionError e) {
        // The writer must outlive any one failure: the backlog is kept and retried.
        log.error("audit writer pass failed; retrying", e);
        done = false;
      }
      delay = done ? FLUSH_MILLIS : Math.min(delay * 2, MAX_BACKOFF_MILLIS);
    }
  }

  /**
   * Moves queued events into the backlog and tries to write it.
   *
   * @return true when nothing is left unwritten
   */
  private synchronized boolean flushOnce() {
    if (pending.isEmpty()) {
      return true;
    }
    List<Map.Entry<Key, Tally>> rows = new ArrayList<>();
    for (Key key : pending.keySet()) {
      Tally t = pending.remove(key);
      if (t != null) {
        rows.add(Map.entry(key, t));
      }
    }
    rows.sort(java.util.Comparator.comparingLong(r -> r.getValue().first)); // in order of reads
    long written = rows.stream().mapToLong(r -> r.getValue().count).sum();
    try {
      write(rows);
    } catch (RuntimeException | AssertionError e) { // pgjdbc asserts on some broken connections
      rows.forEach(r -> pending.merge(r.getKey(), r.getValue(), Tally::merge)); // kept, retried
      long n = failedWrites.incrementAndGet();
      if (n == 1 || n % 20 == 0) {
        log.warn("could not write {} audit rows (kept, retried): {}", rows.size(), e.toString());
      }
      return false;
    }
    unwritten.addAndGet(-written);
    oldestPending = pending.values().stream().mapToLong(t -> t.first).min().orElse(0);
    return pending.isEmpty();
  }

  private void write(List<Map.Entry<Key, Tally>> rows) {
    jdbc.batchUpdate(
        "INSERT INTO audit_log (at, last_at, reads, actor, action, project_id, environment_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        rows,
        1000,
        (ps, e) -> {
          ps.setTimestamp(1, new Timestamp(e.getValue().first));
          ps.setTimestamp(2, new Timestamp(e.getValue().last));
          ps.setInt(3, (int) Math.min(Integer.MAX_VALUE, e.getValue().count));
          ps.setString(4, e.getKey().actor());
          ps.setString(5, e.getKey().action());
          ps.setString(6, e.getKey().projectId());
          ps.setString(7, e.getKey().environmentId());
        });
  }

  /**
   * Stops the writer and writes what is pending, retrying for up to 30 s (called on shutdown).
   * Reads still unwritten then (the store stayed down) are counted in the log's error.
   */
  @PreDestroy
  public void flush() {
    running = false;
    writer.interrupt();
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    long delay = 100;
    while (!flushOnce()) {
      if (System.nanoTime() > deadline) {
        log.error("shutting down with {} audit reads unwritten: the store stayed down", unwritten);
        return;
      }
      try {
        Thread.sleep(delay);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        log.error("shutdown interrupted with {} audit reads unwritten", unwritten);
        return;
      }
      delay = Math.min(delay * 2, 2000);
    }
  }
}
