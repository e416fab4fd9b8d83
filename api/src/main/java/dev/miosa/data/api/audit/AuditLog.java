package dev.miosa.data.api.audit;

import jakarta.annotation.PreDestroy;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The audit trail of credential reads (who, which environment, when). Records are queued on the
 * request path and written in batches by a background thread, so the hot env fetch never waits
 * for an insert; a clean shutdown writes what is queued before the store closes. When the queue
 * is full the caller waits (back-pressure) rather than a record being dropped.
 */
@Component
public class AuditLog {

  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);
  private static final int BATCH = 1000;

  /**
   * One audit record.
   *
   * @param at when it happened
   * @param actor {@code admin} or {@code runtime-token:<id>}
   * @param action what happened ({@code variables.read})
   * @param projectId the project, or null
   * @param environmentId the environment, or null
   * @param detail extra text without secrets, or null
   */
  public record Entry(Instant at, String actor, String action, String projectId, String environmentId, String detail) {}

  private final JdbcTemplate jdbc;
  private final BlockingQueue<Entry> queue = new LinkedBlockingQueue<>(200_000);
  private final Thread writer;
  private volatile boolean running = true;

  AuditLog(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
    this.writer = new Thread(this::loop, "miosa-audit-writer");
    this.writer.setDaemon(true);
    this.writer.start();
  }

  /**
   * Queues a record.
   *
   * @param actor who
   * @param action what
   * @param projectId which project
   * @param environmentId which environment
   */
  public void record(String actor, String action, String projectId, String environmentId) {
    Entry e = new Entry(Instant.now(), actor, action, projectId, environmentId, null);
    try {
      queue.put(e);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      write(List.of(e));
    }
  }

  private void loop() {
    List<Entry> batch = new ArrayList<>(BATCH);
    while (running || !queue.isEmpty()) {
      try {
        Entry first = queue.poll(250, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, BATCH - 1);
        writeWithRetry(batch);
        batch.clear();
      } catch (InterruptedException e) {
        if (!running) {
          break;
        }
      }
    }
  }

  private void writeWithRetry(List<Entry> batch) {
    for (int attempt = 1; ; attempt++) {
      try {
        write(batch);
        return;
      } catch (RuntimeException e) {
        if (attempt >= 5 || !running) {
          log.error("could not write {} audit records after {} attempts", batch.size(), attempt, e);
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

  private void write(List<Entry> batch) {
    jdbc.batchUpdate(
        "INSERT INTO audit_log (at, actor, action, project_id, environment_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
        batch,
        batch.size(),
        (ps, e) -> {
          ps.setTimestamp(1, Timestamp.from(e.at()));
          ps.setString(2, e.actor());
          ps.setString(3, e.action());
          ps.setString(4, e.projectId());
          ps.setString(5, e.environmentId());
          ps.setString(6, e.detail());
        });
  }

  /** Writes everything queued, then stops the writer. */
  @PreDestroy
  public void flush() {
    running = false;
    writer.interrupt();
    try {
      writer.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<Entry> rest = new ArrayList<>();
    queue.drainTo(rest);
    for (int i = 0; i < rest.size(); i += BATCH) {
      write(rest.subList(i, Math.min(rest.size(), i + BATCH)));
    }
  }

  /** Records queued but not yet written (for tests and metrics). */
  public int pending() {
    return queue.size();
  }
}
