package dev.miosa.data.volumes.image;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Files replaced whole: each change is made on a temporary sibling that is fsynced and renamed over
 * the target atomically, then the directory is fsynced, so a crash leaves the old file or the new
 * one, never a mix. Files are mode 0600.
 */
final class AtomicFiles {

  private AtomicFiles() {}

  /** Writes a new file. */
  @FunctionalInterface
  interface Fill {
    void into(Path file) throws IOException;
  }

  /**
   * Makes a fresh temporary sibling of {@code target} (leftovers of an earlier attempt removed) and
   * fills it.
   */
  static Path staged(Path target, String suffix, String what, Fill fill) {
    Path tmp = sibling(target, suffix);
    try {
      Files.createDirectories(target.getParent());
      Files.deleteIfExists(tmp);
      Files.deleteIfExists(sibling(tmp, ".resize-undo"));
      fill.into(tmp);
    } catch (IOException e) {
      throw new ImageException("could not " + what + ": " + e.getMessage(), true, e);
    }
    return tmp;
  }

  static void createSparse(Path file, long bytes) throws IOException {
    Files.createFile(
        file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(bytes);
    }
  }

  /** Fsyncs {@code tmp}, renames it over {@code target} and fsyncs the directory. */
  static void publish(Path tmp, Path target) {
    try {
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      fsync(tmp);
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
        dir.force(true);
      }
    } catch (IOException e) {
      throw new ImageException(
          "could not publish " + target.getFileName() + ": " + e.getMessage(), true, e);
    }
  }

  static void fsync(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.force(true);
    } catch (IOException e) {
      throw new ImageException(
          "could not sync " + file.getFileName() + ": " + e.getMessage(), true, e);
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // a stale undo file is rolled back or overwritten next time
    }
  }

  static Path sibling(Path file, String suffix) {
    return file.resolveSibling(file.getFileName() + suffix);
  }
}
