package dev.miosa.data.process;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What to run and how (command, environment, masked secrets, pipes, time limit); built with {@link
 * ExternalProcess#command}, then {@link #run()} or {@link #start()}.
 */
public final class ProcessSpec {
  private static final List<String> SENSITIVE = List.of("PASSWORD", "SECRET", "TOKEN", "KEY");

  final List<String> command;
  final Map<String, String> env = new LinkedHashMap<>();
  final List<String> masked = new ArrayList<>();
  java.util.regex.Pattern removeEnv = java.util.regex.Pattern.compile("(?!)");
  Path directory;
  Duration timeout = Duration.ofMinutes(10);
  boolean pipeStdin;
  boolean pipeStdout;
  boolean mergeStderr;
  int captureLimit = 1024 * 1024;
  boolean shared;

  ProcessSpec(List<String> command) {
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
   * Sets an environment variable; values of names holding {@code PASSWORD}, {@code SECRET}, {@code
   * TOKEN} or {@code KEY} are masked in output.
   */
  public ProcessSpec env(String name, String value) {
    env.put(name, value);
    String upper = name.toUpperCase(Locale.ROOT);
    if (SENSITIVE.stream().anyMatch(upper::contains)) {
      mask(value);
    }
    return this;
  }

  /** Removes inherited environment variables whose names match a regular expression. */
  public ProcessSpec removeEnv(String nameRegex) {
    this.removeEnv = java.util.regex.Pattern.compile(nameRegex);
    return this;
  }

  /** Masks a secret value wherever it appears in output quoted by errors. */
  public ProcessSpec mask(String secret) {
    if (secret != null && !secret.isEmpty()) {
      masked.add(secret);
    }
    return this;
  }

  /** The working directory. */
  public ProcessSpec directory(Path dir) {
    this.directory = dir;
    return this;
  }

  /**
   * The longest the program may run (default 10 minutes); null for no deadline (a long-lived
   * session that arms one per step with {@link ExternalProcess#deadline}).
   */
  public ProcessSpec timeout(Duration timeout) {
    this.timeout = timeout;
    return this;
  }

  /** Gives the caller the program's stdin (otherwise it reads {@code /dev/null}). */
  public ProcessSpec pipeStdin() {
    this.pipeStdin = true;
    return this;
  }

  /** Gives the caller the program's stdout (otherwise it is captured). */
  public ProcessSpec pipeStdout() {
    this.pipeStdout = true;
    return this;
  }

  /**
   * Not stopped with the operation of the starting thread: for a long-lived session that serves
   * many operations (it arms a {@link ExternalProcess#deadline} per step instead).
   */
  public ProcessSpec shared() {
    this.shared = true;
    return this;
  }

  /** Sends stderr where stdout goes. */
  public ProcessSpec mergeStderr() {
    this.mergeStderr = true;
    return this;
  }

  /** The most bytes of stdout kept (the last ones; default 1 MiB); the rest is read and dropped. */
  public ProcessSpec captureLimit(int bytes) {
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
   * @throws ExternalProcess.ProcessFailedException when it timed out or was stopped
   * @throws IOException when it cannot start
   */
  public ExternalProcess.Result run() throws IOException {
    if (pipeStdin || pipeStdout) {
      throw new IllegalStateException("run() captures output; use start() for pipes");
    }
    try (ExternalProcess p = start()) {
      int exit = p.await();
      return new ExternalProcess.Result(exit, p.output(), p.tail());
    }
  }

  /**
   * Runs the program and fails unless it exits 0.
   *
   * @return its output
   * @throws ExternalProcess.ProcessFailedException naming the exit code and the tail of what it
   *     said
   */
  public String runChecked() throws IOException {
    ExternalProcess.Result r = run();
    if (r.exitCode() != 0) {
      throw new ExternalProcess.ProcessFailedException(
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
