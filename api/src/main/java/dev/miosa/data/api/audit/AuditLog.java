package dev.miosa.data.api.audit;

import jakarta.annotation.PreDestroy;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The audit trail of credential reads: who (actor), what (action), which project environment, when.
 * Every read is counted; reads of the same environment by the same actor within one flush window
 * (250 ms) are written as one row with the first and last time and the number of reads, so a fleet
 * booting at once costs the control-plane store a few rows a second instead of one insert per
 * request. Writing happens off the request path; a clean shutdown writes what is pending before the
 * store closes.
 */
@Component
public class AuditLog {

  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final long FLUSH_MILLIS = 250;

  /**
   * What is counted together.
   *
   * @param actor {@code admin} or {@code runtime-token:<id>}
   * @param action {@code variables.read}, {@code runtime-token.create}, ...
   * @param projectId the project, or null
   * @param environmentId the environment, or null
   */
  public record Key(String actor, String action, String projectId, String environmentId) {}

  /** Reads of one key in one window. */
  static final class Tally {
    final long first;
    long last;
    long count;

    Tally(long at) {
      this.first = at;
      this.last = at;
    }
  }

  private record Event(Key key, long at) {}

  private final JdbcTemplate jdbc;
  // Lock-free hand-off from request threads to the writer: a request never parks here.
  private final ConcurrentLinkedQueue<Event> events = new ConcurrentLinkedQueue<>();
  private final Thread writer;
  private volatile boolean running = true;

  AuditLog(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
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
   */
  public void record(String actor, String action, String projectId, String environmentId) {
    events.offer(
        new Event(new Key(actor, action, projectId, environmentId), System.currentTimeMillis()));
  }

  private void loop() {
    while (running) {
      try {
        Thread.sleep(FLUSH_MILLIS);
      } catch (InterruptedException e) {
        if (!running) {
          break;
        }
      }
      flushWindow();
    }
  }

  /** Drains the queued events into one row per key and writes them; retried a few times. */
  private synchronized void flushWindow() {
    Map<Key, Tally> window = new LinkedHashMap<>();
    for (Event e; (e = events.poll()) != null; ) {
      Tally t = window.computeIfAbsent(e.key(), k -> new Tally(0));
      if (t.count == 0) {
        window.put(e.key(), t = new Tally(e.at()));
      }
      t.last = Math.max(t.last, e.at());
      t.count++;
    }
    if (window.isEmpty()) {
      return;
    }
    List<Map.Entry<Key, Tally>> rows = new ArrayList<>(window.entrySet());
    for (int attempt = 1; ; attempt++) {
      try {
        write(rows);
        return;
      } catch (RuntimeException e) {
        if (attempt >= 5) {
          log.error("could not write {} audit rows after {} attempts", rows.size(), attempt, e);
          return;
        }
        try {
          Thread.sleep(200L * attempt);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }
    }
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

  /** Writes what is pending, then stops the writer (called on shutdown). */
  @PreDestroy
  public void flush() {
    running = false;
    writer.interrupt();
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    flushWindow();
  }
}
