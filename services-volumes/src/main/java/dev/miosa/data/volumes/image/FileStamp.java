package dev.miosa.data.volumes.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * What tells whether a file changed. Timestamps come from a coarse kernel clock, so a write in the
 * same clock tick as the one before could leave them unchanged: {@link #settled} waits until that
 * tick has passed before the copy starts.
 */
record FileStamp(FileTime mtime, FileTime ctime, long size, Object inode) {
  static FileStamp of(Path p) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, "unix:lastModifiedTime,ctime,size,ino");
    return new FileStamp(
        (FileTime) a.get("lastModifiedTime"),
        (FileTime) a.get("ctime"),
        (Long) a.get("size"),
        a.get("ino"));
  }

  Instant latest() {
    Instant m = mtime.toInstant();
    Instant c = ctime.toInstant();
    return m.isAfter(c) ? m : c;
  }

  /** The stamp of {@code p} once the clock tick of its last change has passed. */
  static FileStamp settled(Path p) throws IOException {
    FileStamp s = FileStamp.of(p);
    while (Duration.between(s.latest(), Instant.now()).toMillis() < 20) {
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      s = FileStamp.of(p);
    }
    return s;
  }
}
