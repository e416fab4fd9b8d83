package dev.miosa.data.process;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
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
 *       to {@link Spec#mask} and of environment variables whose names hold {@code PASSWORD}, {@code
 *       SECRET}, {@code TOKEN} or {@code KEY}.
 * </ul>
 *
 * <p>Most callers use {@link Spec#run()} (to completion); streaming callers {@link Spec#start()},
 * use {@link #stdin()}/{@link #stdout()}, then {@link #await()}.
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

  private final Spec spec;
  private final Process process;
  private final Capture output;
  private final Capture errors;
  private final ScheduledFuture<?> deadline;
  private final Cancellation.Scope cancelRegistration;
  private final Cancellation cancellation;
  private volatile boolean timedOut;

  private ExternalProcess(Spec spec) throws IOException {
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
        spec.pipeStdout ? null : Capture.drain(process.getInputStream(), spec.captureLimit, spec);
    this.errors =
        spec.mergeStderr ? null : Capture.drain(process.getErrorStream(), 64 * 1024, spec);
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
   * @return the spec, to refine and then {@link Spec#run()} or {@link Spec#start()}
   */
  public static Spec command(List<String> command) {
    return new Spec(command);
  }

  /**
   * Starts describing a run.
   *
   * @param command the program and its arguments
   * @return the spec
   */
  public static Spec command(String... command) {
    return new Spec(List.of(command));
  }

  /** The program's standard input; only when {@link Spec#pipeStdin()} was asked for. */
  public OutputStream stdin() {
    if (!spec.pipeStdin) {
      throw new IllegalStateException("stdin was not piped");
    }
    return process.getOutputStream();
  }

  /** The program's standard output; only when {@link Spec#pipeStdout()} was asked for. */
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
   * The outcome of {@link Spec#run()}.
   *
   * @param exitCode the exit code
   * @param output what it wrote (bounded by {@link Spec#captureLimit}), secrets masked
   * @param tail the end of what it said, for messages, secrets masked
   */
  public record Result(int exitCode, String output, String tail) {}

  /** What to run and how; build it, then {@link #run()} or {@link #start()}. */
  public static final class Spec {
    private static final List<String> SENSITIVE = List.of("PASSWORD", "SECRET", "TOKEN", "KEY");

    private final List<String> command;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> masked = new ArrayList<>();
    private java.util.regex.Pattern removeEnv = java.util.regex.Pattern.compile("(?!)");
    private Path directory;
    private Duration timeout = Duration.ofMinutes(10);
    private boolean pipeStdin;
    private boolean pipeStdout;
    private boolean mergeStderr;
    private int captureLimit = 1024 * 1024;
    private boolean shared;

    private Spec(List<String> command) {
      if (command.isEmpty()) {
        throw new IllegalArgumentException("no command");
      }
      this.command = List.copyOf(command);
    }

    /** The program's file name, for messages. */
    public String name() {
      return Path.of(command.get(0)).getFileName().toString();
    }

    /**
     * Sets an environment variable; values of names holding {@code PASSWORD}, {@code SECRET},
     * {@code TOKEN} or {@code KEY} are masked in output.
     */
    public Spec env(String name, String value) {
      env.put(name, value);
      String upper = name.toUpperCase(Locale.ROOT);
      if (SENSITIVE.stream().anyMatch(upper::contains)) {
        mask(value);
      }
      return this;
    }

    /** Removes inherited environment variables whose names match a regular expression. */
    public Spec removeEnv(String nameRegex) {
      this.removeEnv = java.util.regex.Pattern.compile(nameRegex);
      return this;
    }

    /** Masks a secret value wherever it appears in output quoted by errors. */
    public Spec mask(String secret) {
      if (secret != null && !secret.isEmpty()) {
        masked.add(secret);
      }
      return this;
    }

    /** The working directory. */
    public Spec directory(Path dir) {
      this.directory = dir;
      return this;
    }

    /**
     * The longest the program may run (default 10 minutes); null for no deadline (a long-lived
     * session that arms one per step with {@link ExternalProcess#deadline}).
     */
    public Spec timeout(Duration timeout) {
      this.timeout = timeout;
      return this;
    }

    /** Gives the caller the program's stdin (otherwise it reads {@code /dev/null}). */
    public Spec pipeStdin() {
      this.pipeStdin = true;
      return this;
    }

    /** Gives the caller the program's stdout (otherwise it is captured). */
    public Spec pipeStdout() {
      this.pipeStdout = true;
      return this;
    }

    /**
     * Not stopped with the operation of the starting thread: for a long-lived session that serves
     * many operations (it arms a {@link ExternalProcess#deadline} per step instead).
     */
    public Spec shared() {
      this.shared = true;
      return this;
    }

    /** Sends stderr where stdout goes. */
    public Spec mergeStderr() {
      this.mergeStderr = true;
      return this;
    }

    /**
     * The most bytes of stdout kept (the last ones; default 1 MiB); the rest is read and dropped.
     */
    public Spec captureLimit(int bytes) {
      this.captureLimit = bytes;
      return this;
    }

    /**
     * Starts the program.
     *
     * @return the running program; close it when done
     * @throws IOException when it cannot start
     * @throws java.util.concurrent.CancellationException when the bound {@link Cancellation} is
     *     already cancelled
     */
    public ExternalProcess start() throws IOException {
      return new ExternalProcess(this);
    }

    /**
     * Runs the program to its end with stdin from {@code /dev/null} and stdout captured.
     *
     * @return exit code and output
     * @throws ProcessFailedException when it timed out or was stopped
     * @throws IOException when it cannot start
     */
    public Result run() throws IOException {
      if (pipeStdin || pipeStdout) {
        throw new IllegalStateException("run() captures output; use start() for pipes");
      }
      try (ExternalProcess p = start()) {
        int exit = p.await();
        return new Result(exit, p.output(), p.tail());
      }
    }

    /**
     * Runs the program and fails unless it exits 0.
     *
     * @return its output
     * @throws ProcessFailedException naming the exit code and the tail of what it said
     */
    public String runChecked() throws IOException {
      Result r = run();
      if (r.exitCode() != 0) {
        throw new ProcessFailedException(
            name() + " exited " + r.exitCode() + (r.tail().isEmpty() ? "" : ": " + r.tail()),
            r.exitCode(),
            false,
            null);
      }
      return r.output();
    }

    String maskIn(String text) {
      String t = text;
      for (String s : masked) {
        t = t.replace(s, "***");
      }
      return t;
    }
  }

  /** The last bytes a stream carried, read on a daemon thread until the stream ends. */
  private static final class Capture {
    private final byte[] ring;
    private final Thread reader;
    private final Spec spec;
    private long total;

    private Capture(InputStream in, int limit, Spec spec) {
      this.ring = new byte[Math.max(limit, TAIL_CHARS * 4)];
      this.spec = spec;
      this.reader =
          new Thread(
              () -> {
                byte[] buf = new byte[8192];
                try (in) {
                  for (int n; (n = in.read(buf)) >= 0; ) {
                    append(buf, n);
                  }
                } catch (IOException ignored) {
                  // the stream closed: the program ended or was killed
                }
              },
              "miosa-process-output-" + spec.name());
      reader.setDaemon(true);
      reader.start();
    }

    static Capture drain(InputStream in, int limit, Spec spec) {
      return new Capture(in, limit, spec);
    }

    private synchronized void append(byte[] buf, int n) {
      for (int i = 0; i < n; i++) {
        ring[(int) (total++ % ring.length)] = buf[i];
      }
    }

    /** Waits a little for the reader to see the end (the tree is dead, so the pipe closes). */
    void join() {
      try {
        reader.join(5000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    synchronized String text() {
      byte[] out;
      if (total <= ring.length) {
        out = java.util.Arrays.copyOf(ring, (int) total);
      } else {
        out = new byte[ring.length];
        int start = (int) (total % ring.length);
        System.arraycopy(ring, start, out, 0, ring.length - start);
        System.arraycopy(ring, 0, out, ring.length - start, start);
      }
      return spec.maskIn(new String(out, StandardCharsets.UTF_8));
    }
  }
}
