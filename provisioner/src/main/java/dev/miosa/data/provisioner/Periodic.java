package dev.miosa.data.provisioner;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a background task repeatedly on its own named daemon thread, with a fixed delay between
 * runs. A run that throws is logged and the next one still happens. For the control plane's
 * housekeeping loops (backup scheduling, re-applying Redis users after a restart).
 */
public final class Periodic {

  private static final Logger log = LoggerFactory.getLogger(Periodic.class);

  private Periodic() {}

  /**
   * Starts the task.
   *
   * @param threadName the thread's name, shown in logs and thread dumps
   * @param initialDelay wait before the first run
   * @param delay wait between the end of one run and the start of the next
   * @param task the work
   * @return the executor; {@code shutdownNow()} stops it
   */
  public static ScheduledExecutorService start(
      String threadName, Duration initialDelay, Duration delay, Runnable task) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, threadName);
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            log.warn("{} failed: {}", threadName, e.toString());
          }
        },
        initialDelay.toMillis(),
        delay.toMillis(),
        TimeUnit.MILLISECONDS);
    return timer;
  }
}
