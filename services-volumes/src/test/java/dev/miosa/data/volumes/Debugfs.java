package dev.miosa.data.volumes;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes files inside an ext4 image without mounting it, with {@code debugfs}
 * (e2fsprogs), as a runtime instance would through its mount.
 */
final class Debugfs {

  private Debugfs() {}

  /** Writes a new file at the image's root. */
  static void write(Path image, String name, String content) throws Exception {
    Path local = Files.createTempFile("miosa-debugfs", ".txt");
    try {
      Files.writeString(local, content);
      String[] out =
          run(List.of(tool(), "-w", "-R", "write " + local + " " + name, image.toString()));
      if (!out[0].contains("Allocated inode") && !out[1].contains("Allocated inode")) {
        throw new IllegalStateException("debugfs did not write " + name + ": " + out[0] + out[1]);
      }
    } finally {
      Files.deleteIfExists(local);
    }
  }

  /** Reads a file at the image's root; empty when there is none. */
  static Optional<String> read(Path image, String name) throws Exception {
    String[] out = run(List.of(tool(), "-R", "cat /" + name, image.toString()));
    if (out[1].contains("not found")) {
      return Optional.empty();
    }
    return Optional.of(out[0]);
  }

  private static String tool() {
    for (String dir : List.of("/usr/sbin", "/sbin", "/usr/bin")) {
      if (Files.isExecutable(Path.of(dir, "debugfs"))) {
        return dir + "/debugfs";
      }
    }
    throw new IllegalStateException(
        "debugfs not found: install e2fsprogs (Debian: apt-get install e2fsprogs)");
  }

  private static String[] run(List<String> command) throws IOException, InterruptedException {
    Path err = Files.createTempFile("miosa-debugfs", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (p.waitFor() != 0) {
        throw new IllegalStateException(
            "debugfs exited " + p.exitValue() + ": " + Files.readString(err));
      }
      return new String[] {out, Files.readString(err)};
    } finally {
      Files.deleteIfExists(err);
    }
  }
}
