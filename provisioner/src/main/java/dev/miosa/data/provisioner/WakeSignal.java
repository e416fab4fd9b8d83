package dev.miosa.data.provisioner;

import java.time.Duration;

/**
 * Wakes a polling loop early without losing a wake-up: a {@link #signal} that arrives while the
 * loop is busy (between {@link #clear} and {@link #await}) makes the next {@code await} return at
 * once. For the pollers of the operation queue and of the webhook outbox.
 */
public final class WakeSignal {

  private final Object lock = new Object();
  private boolean pending; // guarded by lock

  /** Asks the loop to look again now; remembered if it is busy. */
  public void signal() {
    synchronized (lock) {
      pending = true;
      lock.notifyAll();
    }
  }

  /** Forgets earlier signals: call just before looking, so what follows sees what they told. */
  public void clear() {
    synchronized (lock) {
      pending = false;
    }
  }

  /**
   * Waits up to {@code timeout} unless a signal came since the last {@link #clear}.
   *
   * @throws InterruptedException when interrupted
   */
  public void await(Duration timeout) throws InterruptedException {
    synchronized (lock) {
      if (!pending) {
        lock.wait(timeout.toMillis());
      }
    }
  }
}
