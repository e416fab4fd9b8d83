package dev.miosa.data.provisioner.operation;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection to the control-plane PostgreSQL that {@code LISTEN}s on {@link
 * OperationStore#CHANNEL} and runs a callback (a worker's {@code wakeUp}) on every notification, so
 * that an operation enqueued by any replica is claimed at once. A lost connection is reopened with
 * a growing delay (up to 5 s); after each (re)connect the callback runs once, since notifications
 * sent while nobody listened are not delivered later. Polling remains the fallback.
 */
final class QueueListener implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(QueueListener.class);

  private final DataSource dataSource;
  private final Runnable onNotify;
  private final Duration checkEvery;
  private volatile boolean running = true;
  private volatile Connection connection;
  private final Thread thread;

  /**
   * @param dataSource the control-plane database (one connection is held while listening)
   * @param onNotify run on each notification; quick, never throws
   * @param checkEvery longest wait for notifications before the connection is checked again
   */
  QueueListener(DataSource dataSource, Runnable onNotify, Duration checkEvery) {
    this.dataSource = dataSource;
    this.onNotify = onNotify;
    this.checkEvery = checkEvery;
    this.thread = new Thread(this::loop, "miosa-op-listener");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  private void loop() {
    long delay = 100;
    while (running) {
      try (Connection c = dataSource.getConnection()) {
        connection = c;
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN " + OperationStore.CHANNEL);
        }
        PGConnection pg = c.unwrap(PGConnection.class);
        delay = 100;
        onNotify.run();
        while (running) {
          PGNotification[] got = pg.getNotifications((int) checkEvery.toMillis());
          if (got != null && got.length > 0) {
            onNotify.run();
          } else if (!c.isValid(5)) {
            throw new SQLException("listening connection no longer valid");
          }
        }
      } catch (SQLException | RuntimeException e) {
        if (!running) {
          return;
        }
        log.warn("LISTEN {} interrupted ({}); reconnecting", OperationStore.CHANNEL, e.toString());
        try {
          Thread.sleep(delay);
        } catch (InterruptedException ie) {
          return;
        }
        delay = Math.min(delay * 2, 5000);
      } finally {
        connection = null;
      }
    }
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
    Connection c = connection;
    if (c != null) {
      try {
        c.abort(Runnable::run);
      } catch (SQLException | RuntimeException e) {
        log.debug("closing the listening connection: {}", e.toString());
      }
    }
  }
}
