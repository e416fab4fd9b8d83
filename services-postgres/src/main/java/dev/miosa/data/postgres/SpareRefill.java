package dev.miosa.data.postgres;

import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One server's background refill of spare databases ({@link SpareDatabases#refill}): at most one
 * runs per server and process, on a daemon thread; a request while it runs makes it look again
 * before it ends, so no claim is missed. It starts once requests have paused for {@link
 * #QUIET_NANOS}.
 */
final class SpareRefill {

  private static final Logger log = LoggerFactory.getLogger(SpareRefill.class);

  /**
   * How long a refill waits after the last claim before it starts: {@code CREATE DATABASE} takes
   * the disk and a core, and started at once it slowed the rest of the attach that claimed (the
   * other data services of a project attached together).
   */
  static final long QUIET_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  /** The longest a refill waits while claims keep coming. */
  static final long MAX_DELAY_NANOS = TimeUnit.SECONDS.toNanos(3);

  private final SpareDatabases spares;
  private final PostgresServer server;
  private final AtomicInteger requests = new AtomicInteger();
  private volatile long lastRequest;

  SpareRefill(SpareDatabases spares, PostgresServer server) {
    this.spares = spares;
    this.server = server;
  }

  /** Asks for a refill: starts one unless one is running, which then looks again. */
  void request() {
    lastRequest = System.nanoTime();
    if (spares.isClosed() || requests.getAndIncrement() > 0) {
      return; // the running one looks again before it ends
    }
    Thread t = new Thread(this::run, "miosa-spare-databases-" + server.id());
    t.setDaemon(true); // a refill cut short by the end of the process leaves a name never claimed
    t.start();
  }

  /** Waits until no request came for the quiet time, or the longest delay passed. */
  private void awaitQuiet() {
    long start = System.nanoTime();
    while (!spares.isClosed()) {
      long now = System.nanoTime();
      long until = Math.min(lastRequest + QUIET_NANOS, start + MAX_DELAY_NANOS);
      if (now - until >= 0) {
        return;
      }
      LockSupport.parkNanos(until - now);
    }
  }

  private void run() {
    do {
      awaitQuiet();
      int seen = requests.get();
      try {
        spares.refill(server);
      } catch (SQLException | RuntimeException e) {
        if (!spares.isClosed()) {
          log.warn(
              "could not refill the spare databases of {} (SQLSTATE {}): attaches create"
                  + " their databases until a later refill works",
              server.id(),
              e instanceof SQLException s ? s.getSQLState() : e.getClass().getSimpleName());
        }
      }
      if (requests.addAndGet(-seen) == 0 || spares.isClosed()) {
        return;
      }
    } while (true);
  }
}
