package dev.miosa.data.process;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The one way the control plane runs an external program ({@code psql}, {@code pg_dump}, {@code
 * mkfs.ext4}, ...). Whatever the program does:
 *
 * <ul>
 *   <li>its output is read on its own threads while it runs, so a program that writes more than a
 *       pipe holds never blocks on a full pipe;
 *   <li>its deadline fires: at the timeout the program and all its descendants are killed (not only
 *       the direct child, whose children would otherwise keep the pipes open), and the error says
 *       so;
 *   <li>it is killed as well when the {@link Cancellation} bound to the starting thread is
 *       cancelled (the operation lost its lease) or the waiting thread is interrupted;
 *   <li>errors carry only a bounded tail of its output, with every secret masked: the values given
 *       to {@link ProcessSpec#mask} and of environment variables whose names hold {@code PASSWORD},
 *       {@code SECRET}, {@code TOKEN} or {@code KEY}.
 * </ul>
 *
 * <p>Most callers use {@link ProcessSpec#run()} (to completion); streaming callers {@link
 * ProcessSpec#start()}, use {@link #stdin()}/{@link #stdout()}, then {@link #await()}.
 */
public final class ExternalProcess implements AutoCloseable {

  /** Characters of output quoted in an error. */
  public static final int TAIL_CHARS = 500;

  private static final ScheduledExecutorService WATCHDOG =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "miosa-process-watchdog");
            t.setDaemon(true);
            return t;
          });

  private final ProcessSpec spec;
  private final Process process;
  private final OutputCapture output;
  private final OutputCapture errors;
  private final ScheduledFuture<?> deadline;
  private final Cancellation.Scope cancelRegistration;
  private final Cancellation cancellation;
  private volatile boolean timedOut;

  ExternalProcess(ProcessSpec spec) throws IOException {
    this.spec = spec;
    ProcessBuilder pb = new ProcessBuilder(spec.command);
    if (spec.directory != null) {
      pb.directory(spec.directory.toFile());
    }
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> spec.removeEnv.matcher(k).matches());
    env.putAll(spec.env);
    pb.redirectErrorStream(spec.mergeStderr);
    if (!spec.pipeStdin) {
      pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }
    this.cancellation = spec.shared ? new Cancellation() : Cancellation.current();
    cancellation.checkpoint();
    try {
      this.process = pb.start();
    } catch (IOException e) {
      throw new IOException("could not run " + spec.name() + ": " + e.getMessage(), e);
    }
    this.output =
        spec.pipeStdout
            ? null
            : OutputCapture.drain(process.getInputStream(), spec.captureLimit, spec);
    this.errors =
        spec.mergeStderr ? null : OutputCapture.drain(process.getErrorStream(), 64 * 1024, spec);
    this.deadline =
        spec.timeout == null
            ? null
            : WATCHDOG.schedule(this::expire, spec.timeout.toMillis(), TimeUnit.MILLISECONDS);
    this.cancelRegistration = cancellation.onCancel(this::kill);
  }

  /**
   * Starts describing a run.
   *
   * @param command the program and its arguments (never a password: use the environment)
   * @return the spec, to refine and then {@link ProcessSpec#run()} or {@link ProcessSpec#start()}
   */
  public static ProcessSpec command(List<String> command) {
    return new ProcessSpec(command);
  }

  /**
   * Starts describing a run.
   *
   * @param command the program and its arguments
   * @return the spec
   */
  public static ProcessSpec command(String... command) {
    return new ProcessSpec(List.of(command));
  }

  /** The program's standard input; only when {@link ProcessSpec#pipeStdin()} was asked for. */
  public OutputStream stdin() {
    if (!spec.pipeStdin) {
      throw new IllegalStateException("stdin was not piped");
    }
    return process.getOutputStream();
  }

  /** The program's standard output; only when {@link ProcessSpec#pipeStdout()} was asked for. */
  public InputStream stdout() {
    if (!spec.pipeStdout) {
      throw new IllegalStateException("stdout is captured, not piped");
    }
    return process.getInputStream();
  }

  /**
   * Waits for the program to end (at most until its timeout, when it is killed).
   *
   * @return its exit code
   * @throws ProcessFailedException when it was killed for its timeout or a cancellation
   * @throws IOException when interrupted (the program is killed first)
   */
  public int await() throws IOException {
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      kill();
      Thread.currentThread().interrupt();
      throw new ProcessFailedException(spec.name() + " was interrupted", -1, false, e);
    } finally {
      disarm();
    }
    if (output != null) {
      output.join();
    }
    if (errors != null) {
      errors.join();
    }
    if (timedOut) {
      throw new ProcessFailedException(
          spec.name() + " did not finish within " + spec.timeout + " and was killed" + said(),
          -1,
          true,
          null);
    }
    if (cancellation.isCancelled()) {
      throw new ProcessFailedException(
          spec.name() + " was stopped: " + cancellation.reason(), -1, false, null);
    }
    return process.exitValue();
  }

  /**
   * Waits for the program and fails unless it exited 0.
   *
   * @throws ProcessFailedException naming the exit code and the tail of what it said
   */
  public void awaitSuccess() throws IOException {
    int exit = await();
    if (exit != 0) {
      throw new ProcessFailedException(spec.name() + " exited " + exit + said(), exit, false, null);
    }
  }

  private String said() {
    String t = tail();
    return t.isEmpty() ? "" : ": " + t;
  }

  /** What the program wrote (captured stdout, or stdout and stderr merged), secrets masked. */
  public String output() {
    return output == null ? "" : output.text();
  }

  /**
   * The last {@value #TAIL_CHARS} characters of what the program said, secrets masked: its stderr,
   * or its captured output when stderr is merged into it or empty.
   */
  public String tail() {
    String t = errors == null ? "" : errors.text().strip();
    if (t.isEmpty() && output != null) {
      t = output.text().strip();
    }
    return t.length() <= TAIL_CHARS ? t : "..." + t.substring(t.length() - TAIL_CHARS);
  }

  /**
   * Arms a further deadline for the next step of a long-lived program (one command of a session):
   * the program is killed unless the returned handle is closed within {@code timeout}.
   *
   * @param timeout the step's deadline
   * @return the handle to close when the step is done
   */
  public Cancellation.Scope deadline(Duration timeout) {
    ScheduledFuture<?> f =
        WATCHDOG.schedule(this::expire, timeout.toMillis(), TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  /** Whether the program was killed because a deadline passed. */
  public boolean timedOut() {
    return timedOut;
  }

  /** The program's process id. */
  public long pid() {
    return process.pid();
  }

  /** Whether the program is still running. */
  public boolean isAlive() {
    return process.isAlive();
  }

  private void expire() {
    timedOut = true;
    kill();
  }

  /** Kills the program and its descendants at once (SIGKILL). */
  public void kill() {
    // Collect the descendants first: once the parent is gone they are re-parented and lost.
    List<ProcessHandle> tree = new ArrayList<>();
    try {
      process.descendants().forEach(tree::add);
    } catch (RuntimeException ignored) {
      // the process ended meanwhile
    }
    process.destroyForcibly();
    tree.forEach(ProcessHandle::destroyForcibly);
  }

  /** Kills the program if it still runs and releases its deadline. */
  @Override
  public void close() {
    if (process.isAlive()) {
      kill();
    }
    disarm();
  }

  private void disarm() {
    if (deadline != null) {
      deadline.cancel(false);
    }
    cancelRegistration.close();
  }

  /** A failed run: timed out, stopped, or a non-zero exit; the message is safe to show. */
  public static final class ProcessFailedException extends IOException {
    private final int exitCode;
    private final boolean timedOut;

    ProcessFailedException(String message, int exitCode, boolean timedOut, Throwable cause) {
      super(message, cause);
      this.exitCode = exitCode;
      this.timedOut = timedOut;
    }

    /** The exit code, or -1 when the program was killed. */
    public int exitCode() {
      return exitCode;
    }

    /** Whether it was killed for its timeout. */
    public boolean timedOut() {
      return timedOut;
    }
  }

  /**
   * The outcome of {@link ProcessSpec#run()}.
   *
   * @param exitCode the exit code
   * @param output what it wrote (bounded by {@link ProcessSpec#captureLimit}), secrets masked
   * @param tail the end of what it said, for messages, secrets masked
   */
  public record Result(int exitCode, String output, String tail) {}
}
