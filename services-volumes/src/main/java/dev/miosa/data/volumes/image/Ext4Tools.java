package dev.miosa.data.volumes.image;

import dev.miosa.data.process.ExternalProcess;
import dev.miosa.data.process.ProcessSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The e2fsprogs and coreutils binaries {@link VolumeImages} runs, found once, each run in the C
 * locale with a time limit (killed with its children beyond it).
 */
final class Ext4Tools {

  /** The tools needed. */
  static final List<String> TOOLS =
      List.of("mkfs.ext4", "e2fsck", "resize2fs", "e2undo", "tune2fs", "dumpe2fs", "cp", "stat");

  private final Map<String, Path> tools;
  private final Duration timeout;

  /**
   * @param timeout the longest any one tool may run
   * @throws IllegalStateException naming the Debian package to install when a tool is missing
   */
  Ext4Tools(Duration timeout) {
    this.tools = findTools();
    this.timeout = timeout;
  }

  private static Map<String, Path> findTools() {
    List<String> missing = missingTools();
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "volumes need "
              + String.join(", ", missing)
              + ": install e2fsprogs and coreutils (Debian: apt-get install e2fsprogs coreutils)");
    }
    Map<String, Path> found = new LinkedHashMap<>();
    TOOLS.forEach(t -> found.put(t, findExecutable(t).orElseThrow()));
    return found;
  }

  /**
   * The tools this class needs that the machine lacks (looked up on {@code PATH}, {@code
   * /usr/sbin}, {@code /sbin}, {@code /usr/bin}, {@code /bin}).
   *
   * @return their names; empty when all are there
   */
  static List<String> missingTools() {
    return TOOLS.stream().filter(t -> findExecutable(t).isEmpty()).toList();
  }

  private static Optional<Path> findExecutable(String name) {
    List<String> dirs = new ArrayList<>();
    String path = System.getenv("PATH");
    if (path != null) {
      dirs.addAll(List.of(path.split(":")));
    }
    dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
    return dirs.stream()
        .filter(d -> !d.isEmpty())
        .map(d -> Path.of(d, name))
        .filter(p -> Files.isRegularFile(p) && Files.isExecutable(p))
        .findFirst();
  }

  /** The absolute path of tool {@code name} (one of {@link #TOOLS}). */
  String path(String name) {
    return tools.get(name).toString();
  }

  /** A tool run's exit code and merged output. */
  record Result(int exit, String output) {}

  /**
   * Runs a tool to completion.
   *
   * @return its output
   * @throws ImageException (retryable) when it exits non-zero
   */
  String run(List<String> command) {
    Result r = exec(command);
    if (r.exit() != 0) {
      throw new ImageException(
          Path.of(command.get(0)).getFileName() + " exited " + r.exit() + ": " + tail(r.output()),
          true,
          null);
    }
    return r.output();
  }

  /**
   * Runs a tool and returns its exit code and output, in the C locale, within the timeout.
   *
   * @throws ImageException when it cannot start, times out or is interrupted
   */
  Result exec(List<String> command) {
    ProcessSpec spec =
        ExternalProcess.command(command).env("LC_ALL", "C").mergeStderr().timeout(timeout);
    try {
      ExternalProcess.Result r = spec.run();
      return new Result(r.exitCode(), r.output());
    } catch (ExternalProcess.ProcessFailedException e) {
      // timed out (killed with its children) or stopped because the operation lost its lease
      boolean interrupted = Thread.currentThread().isInterrupted();
      throw new ImageException(
          interrupted ? "interrupted while running " + spec.name() : e.getMessage(), true, e);
    } catch (IOException e) {
      throw new ImageException(e.getMessage(), false, e);
    }
  }

  /** The last 600 characters of a tool's output. */
  static String tail(String text) {
    String t = text.strip();
    return t.length() <= 600 ? t : "..." + t.substring(t.length() - 600);
  }
}
