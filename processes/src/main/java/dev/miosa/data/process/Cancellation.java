package dev.miosa.data.process;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A token that says one piece of work (an operation's attempt) must stop. Whoever owns the work
 * {@linkplain #cancel cancels} it (e.g. when the work's lease was lost); the work checks it between
 * steps with {@link #checkpoint()}, and anything long-running it started registers a callback with
 * {@link #onCancel} (an {@link ExternalProcess} kills its process tree).
 *
 * <p>The token of the current thread is found with {@link #current()} once {@link #bind bound};
 * code that hands work to other threads binds the same token there.
 */
public final class Cancellation {

  private static final ThreadLocal<Cancellation> CURRENT = new ThreadLocal<>();

  private final List<Runnable> callbacks = new CopyOnWriteArrayList<>();
  private volatile String reason;

  /** A new, not cancelled token. */
  public Cancellation() {}

  /**
   * The token bound to this thread, or a token that is never cancelled.
   *
   * @return the token
   */
  public static Cancellation current() {
    Cancellation c = CURRENT.get();
    return c == null ? NEVER : c;
  }

  private static final Cancellation NEVER = new Cancellation();

  /**
   * Binds a token to this thread until the returned scope is closed (then the previous binding is
   * restored).
   *
   * @param token the token
   * @return the scope to close
   */
  public static Scope bind(Cancellation token) {
    Cancellation previous = CURRENT.get();
    CURRENT.set(token);
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  /** A binding; closing it restores the previous one. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Cancels the work: the first call records the reason and runs every registered callback once;
   * later calls do nothing.
   *
   * @param why a short reason for logs and errors
   */
  public void cancel(String why) {
    if (this == NEVER) {
      throw new IllegalStateException("the default token cannot be cancelled");
    }
    List<Runnable> toRun;
    synchronized (this) {
      if (reason != null) {
        return;
      }
      reason = why;
      toRun = new ArrayList<>(callbacks);
      callbacks.clear();
    }
    for (Runnable r : toRun) {
      try {
        r.run();
      } catch (RuntimeException ignored) {
        // a callback's failure must not keep the others from running
      }
    }
  }

  /** Whether {@link #cancel} was called. */
  public boolean isCancelled() {
    return reason != null;
  }

  /** Why it was cancelled, or null. */
  public String reason() {
    return reason;
  }

  /**
   * Throws when cancelled; call it between steps, before writing a step's outcome.
   *
   * @throws CancellationException naming the reason
   */
  public void checkpoint() {
    String r = reason;
    if (r != null) {
      throw new CancellationException(r);
    }
  }

  /**
   * Registers a callback run once on cancellation, at once when already cancelled.
   *
   * @param callback e.g. killing a process; must be quick and must not block
   * @return a registration to close once the callback is no longer needed
   */
  public Scope onCancel(Runnable callback) {
    if (this == NEVER) {
      return () -> {};
    }
    synchronized (this) {
      if (reason == null) {
        callbacks.add(callback);
        return () -> callbacks.remove(callback);
      }
    }
    callback.run();
    return () -> {};
  }
}
