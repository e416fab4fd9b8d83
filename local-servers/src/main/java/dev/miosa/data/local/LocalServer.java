package dev.miosa.data.local;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.credentials.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * What the local servers ({@link LocalPostgres}, {@link LocalPgBouncer}, {@link LocalRedis}, {@link
 * LocalS3Proxy}) share: a base directory, the loopback host and a TCP port, a stored admin
 * password, waiting until the server answers, and {@link #close()} as {@link #stop()}.
 *
 * <p>Every server listens on {@code 127.0.0.1} only. A subclass sets {@link #port} before it waits
 * for readiness.
 */
public abstract class LocalServer implements AutoCloseable {

  /** The loopback address every local server binds to. */
  public static final String HOST = "127.0.0.1";

  /** The server's directory (absolute). */
  protected final Path base;

  /** The TCP port, set once the server's port is known (kept across restarts while free). */
  protected volatile int port;

  /**
   * @param base the server's directory
   * @param port its port, or 0 until known
   */
  protected LocalServer(Path base, int port) {
    this.base = base;
    this.port = port;
  }

  /** The host clients use: {@code 127.0.0.1}. */
  public String host() {
    return HOST;
  }

  /** The TCP port. */
  public int port() {
    return port;
  }

  /** The directory the server runs in. */
  public Path baseDirectory() {
    return base;
  }

  /** Stops the server; what it keeps on disk stays. Never throws. */
  public abstract void stop();

  @Override
  public void close() {
    stop();
  }

  /** A readiness probe: returns normally once the server answers, throws while it does not. */
  @FunctionalInterface
  protected interface Probe {
    /**
     * Tries the server once.
     *
     * @throws Exception while it is not ready; a {@link StartFailed} ends the wait at once
     */
    void check() throws Exception;
  }

  /** Thrown by a {@link Probe} when waiting longer is pointless (the process exited). */
  protected static final class StartFailed extends IOException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what happened, with the server's log tail
     */
    public StartFailed(String message) {
      super(message);
    }
  }

  /**
   * Tries {@code probe} every {@code interval} until it passes or {@code timeout} has elapsed.
   *
   * @param name the server's name for the message ({@code PostgreSQL})
   * @throws IOException {@code "<name> on port <port> did not accept connections"} with the last
   *     probe failure as its cause; a {@link StartFailed} from the probe as it is
   */
  protected final void awaitReady(String name, Duration timeout, Duration interval, Probe probe)
      throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        probe.check();
        return;
      } catch (StartFailed e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      pause(interval);
    }
    throw new IOException(name + " on port " + port + " did not accept connections", last);
  }

  /**
   * Waits until {@code done} holds or {@code timeout} has elapsed, checking every 20 ms.
   *
   * @return whether it holds
   */
  protected static boolean awaitCondition(Duration timeout, BooleanSupplier done) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!done.getAsBoolean()) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /**
   * Reads the password kept in {@code file}, writing a new 40-character alphanumeric one (mode
   * 0600) first if the file does not exist.
   */
  protected static Secret storedPassword(Path file) throws IOException {
    if (!Files.exists(file)) {
      LocalProcesses.writePrivate(file, Passwords.alphanumeric(40).reveal());
    }
    return Secret.of(Files.readString(file).trim());
  }

  private static void pause(Duration interval) throws IOException {
    try {
      Thread.sleep(interval.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
