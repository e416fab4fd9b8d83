package dev.miosa.data.local;

import dev.miosa.data.process.ExternalProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Helpers to run server binaries as local processes. Servers such as PostgreSQL refuse to run as
 * root; when this JVM runs as root, commands are run as an unprivileged system user through {@code
 * runuser} (util-linux), and the directories they need are handed to that user.
 */
public final class LocalProcesses {

  private LocalProcesses() {}

  /** Whether this process runs as root (uid 0). */
  public static boolean isRoot() {
    return "root".equals(System.getProperty("user.name"));
  }

  /**
   * The unprivileged user that servers run as when we are root: {@code postgres} when the machine
   * has it, else {@code nobody}.
   */
  public static String serviceUser() {
    try {
      for (String line : Files.readAllLines(Path.of("/etc/passwd"))) {
        if (line.startsWith("postgres:")) {
          return "postgres";
        }
      }
    } catch (IOException ignored) {
      // fall through
    }
    return "nobody";
  }

  /**
   * Prefixes a command so that it runs unprivileged when we are root.
   *
   * @param command the program and its arguments
   * @return the command to start
   */
  public static List<String> unprivileged(List<String> command) {
    if (!isRoot()) {
      return command;
    }
    List<String> out = new ArrayList<>(List.of("runuser", "-u", serviceUser(), "--"));
    out.addAll(command);
    return out;
  }

  /**
   * Makes a directory (and parents) that the service user owns, and makes every parent up to the
   * root traversable, so an unprivileged server can reach it.
   *
   * @param dir the directory
   * @throws IOException when it cannot be made
   */
  public static void prepareOwnedDirectory(Path dir) throws IOException {
    Files.createDirectories(dir);
    if (!isRoot()) {
      return;
    }
    for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      var perms = Files.getPosixFilePermissions(p);
      if (!perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
        perms.add(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE);
        Files.setPosixFilePermissions(p, perms);
      }
    }
    chown(dir);
  }

  /** Hands a path (recursively) to the service user when we are root. */
  public static void chown(Path path) throws IOException {
    if (isRoot()) {
      run(List.of("chown", "-R", serviceUser() + ":", path.toString()), Duration.ofSeconds(60));
    }
  }

  /** Hands one path (not what is under it) to the service user when we are root. */
  public static void chownOne(Path path) throws IOException {
    if (isRoot()) {
      run(List.of("chown", serviceUser() + ":", path.toString()), Duration.ofSeconds(60));
    }
  }

  /**
   * Runs a command to completion.
   *
   * @param command the program and its arguments
   * @param timeout the longest wait
   * @return the combined output
   * @throws IOException when it cannot start, times out or exits non-zero (the message holds the
   *     output's tail)
   */
  public static String run(List<String> command, Duration timeout) throws IOException {
    return ExternalProcess.command(command).mergeStderr().timeout(timeout).runChecked();
  }

  /** Returns a free TCP port on 127.0.0.1 (free when asked; a race with others is possible). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  /**
   * The port a local server keeps across restarts: the one saved in {@code portFile} while it is
   * free, otherwise a new free port, saved there.
   *
   * @param portFile where the port is kept
   * @return the port to listen on
   */
  public static int choosePort(Path portFile) throws IOException {
    if (Files.exists(portFile)) {
      int saved = Integer.parseInt(Files.readString(portFile).trim());
      if (isFree(saved)) {
        return saved;
      }
    }
    int port = freePort();
    Files.writeString(portFile, Integer.toString(port));
    return port;
  }

  /**
   * The process id written in a pid file, when that process is alive.
   *
   * @param pidFile a file whose first line is a pid
   * @return the pid, or empty when the file is missing, unreadable or names no live process
   */
  public static Optional<Long> livePid(Path pidFile) {
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(ProcessHandle::pid);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** Whether a TCP port on 127.0.0.1 can be bound now. */
  public static boolean isFree(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Finds an executable: in the given directories first, then on {@code PATH}.
   *
   * @param name program name
   * @param dirs directories to look in first
   * @return its path
   */
  public static Optional<Path> findExecutable(String name, List<Path> dirs) {
    List<Path> all = new ArrayList<>(dirs);
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(":")) {
        if (!d.isEmpty()) {
          all.add(Path.of(d));
        }
      }
    }
    all.add(Path.of("/usr/sbin"));
    all.add(Path.of("/sbin"));
    for (Path d : all) {
      Path candidate = d.resolve(name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Writes a file readable only by its owner (mode 0600). */
  public static void writePrivate(Path file, String text) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    Files.createFile(
        tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(tmp, text);
    Files.move(
        tmp,
        file,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  static String tail(String text, int max) {
    return text.length() <= max ? text : text.substring(text.length() - max);
  }

  /**
   * Deletes a directory tree, ignoring errors.
   *
   * @param dir the directory
   */
  public static void deleteQuietly(Path dir) {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // best effort
    }
  }
}
