package dev.miosa.data.volumes.image;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Sparse ext4 image files and what is done to them, with the e2fsprogs tools ({@code mkfs.ext4},
 * {@code e2fsck}, {@code resize2fs}, {@code e2undo}, {@code tune2fs}, {@code dumpe2fs}; man pages
 * at https://e2fsprogs.sourceforge.net/) and GNU {@code cp --sparse=always}.
 *
 * <p>Every change is made on a sibling temporary file that replaces the target with an atomic
 * rename after an fsync, except growing in place, which {@code resize2fs -z} makes undoable: an
 * attempt that died midway is rolled back with {@code e2undo} before the next one. So each method
 * may be called again after a crash and ends in the same state (idempotent). Images are mode 0600
 * and stay sparse: only blocks the filesystem wrote take space on the host.
 */
public final class VolumeImages {

  /** Bytes in a GiB. */
  public static final long GIB = 1L << 30;

  /** The filesystem label of every image. */
  public static final String LABEL = "miosa-volume";

  /** Copies a file's bytes; the default keeps holes ({@code cp --sparse=always}). */
  @FunctionalInterface
  public interface Copier {
    /**
     * @param from the source file
     * @param to the target, which does not exist yet
     * @throws IOException when the copy fails
     */
    void copy(Path from, Path to) throws IOException;
  }

  private final Ext4Tools tools;
  private final Copier copier;

  /** Images with a 30-minute limit per tool run and sparse {@code cp}. */
  public VolumeImages() {
    this(Duration.ofMinutes(30), null);
  }

  /**
   * @param timeout the longest any one tool may run
   * @param copier how snapshot and restore copies are made; null for {@code cp --sparse=always}
   * @throws IllegalStateException naming the Debian package to install when a tool is missing
   */
  public VolumeImages(Duration timeout, Copier copier) {
    this.tools = new Ext4Tools(timeout);
    this.copier = copier != null ? copier : this::cpSparse;
  }

  /**
   * The tools this class needs that the machine lacks (looked up on {@code PATH}, {@code
   * /usr/sbin}, {@code /sbin}, {@code /usr/bin}, {@code /bin}).
   *
   * @return their names; empty when all are there
   */
  public static List<String> missingTools() {
    return Ext4Tools.missingTools();
  }

  /**
   * Creates an empty ext4 filesystem of {@code sizeGiB} in a new sparse image, unless {@code image}
   * exists already.
   *
   * @param image where the image goes (its directory is created)
   * @param sizeGiB the size in GiB
   * @return true when it was created, false when it existed
   */
  public boolean create(Path image, int sizeGiB) {
    if (Files.exists(image)) {
      return false;
    }
    Path tmp =
        AtomicFiles.staged(
            image,
            ".new",
            "create the image file",
            t -> AtomicFiles.createSparse(t, sizeGiB * GIB));
    // lazy_journal_init is safe here: the journal lies in holes of a new file, which read as zeros.
    tools.run(
        List.of(
            tools.path("mkfs.ext4"),
            "-q",
            "-F",
            "-t",
            "ext4",
            "-m",
            "0",
            "-L",
            LABEL,
            "-E",
            "lazy_journal_init=1",
            tmp.toString()));
    AtomicFiles.publish(tmp, image);
    return true;
  }

  /**
   * Creates a new image from a snapshot: a sparse copy, checked, given a new filesystem UUID (so
   * that two volumes never share one) and grown to {@code sizeGiB} if that is larger.
   *
   * @param snapshot the snapshot image
   * @param image the new image; nothing is done when it exists
   * @param sizeGiB the size wanted, at least the snapshot's
   * @return true when it was created, false when it existed
   */
  public boolean createFrom(Path snapshot, Path image, int sizeGiB) {
    if (Files.exists(image)) {
      return false;
    }
    Path tmp =
        AtomicFiles.staged(image, ".new", "copy the snapshot", t -> copier.copy(snapshot, t));
    check(tmp);
    tools.run(List.of(tools.path("tune2fs"), "-U", "random", tmp.toString()));
    grow(tmp, sizeGiB);
    AtomicFiles.publish(tmp, image);
    return true;
  }

  /**
   * Reads the filesystem's superblock.
   *
   * @param image an image
   * @return its size, state and UUID
   * @throws ImageException when it holds no ext4 filesystem
   */
  public FilesystemInfo inspect(Path image) {
    String out = tools.run(List.of(tools.path("dumpe2fs"), "-h", image.toString()));
    Map<String, String> fields = new LinkedHashMap<>();
    for (String line : out.split("\n")) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        fields.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    try {
      return new FilesystemInfo(
          Long.parseLong(fields.get("Block count")),
          Integer.parseInt(fields.get("Block size")),
          fields.getOrDefault("Filesystem state", "unknown"),
          fields.getOrDefault("Filesystem UUID", ""));
    } catch (RuntimeException e) {
      throw new ImageException(
          "dumpe2fs printed no block count for " + image.getFileName(), false, e);
    }
  }

  /**
   * Grows the image file and its filesystem to {@code sizeGiB}; a no-op when it is that large
   * already. The filesystem is checked first ({@code e2fsck -f -p}: an image that was mounted must
   * be, and a journal left by a crashed instance is replayed). The caller makes sure no one has the
   * image attached.
   *
   * @param image the image
   * @param sizeGiB the new size; smaller than the filesystem is refused
   * @throws IllegalArgumentException when {@code sizeGiB} is smaller than the filesystem
   */
  public void grow(Path image, int sizeGiB) {
    long target = sizeGiB * GIB;
    Path undo = AtomicFiles.sibling(image, ".resize-undo");
    if (Files.exists(undo)) {
      rollBackInterruptedResize(image, undo);
    }
    check(image);
    long current = inspect(image).sizeBytes();
    if (target < current) {
      throw new IllegalArgumentException(
          "the filesystem is larger than " + sizeGiB + " GiB; volumes only grow");
    }
    if (target == current) {
      return;
    }
    try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
      if (f.length() < target) {
        f.setLength(target); // extends with a hole
      }
      f.getFD().sync();
    } catch (IOException e) {
      throw new ImageException("could not extend the image file: " + e.getMessage(), true, e);
    }
    tools.run(List.of(tools.path("resize2fs"), "-z", undo.toString(), image.toString()));
    AtomicFiles.fsync(image);
    AtomicFiles.deleteQuietly(undo);
  }

  private void rollBackInterruptedResize(Path image, Path undo) {
    try {
      tools.run(List.of(tools.path("e2undo"), undo.toString(), image.toString()));
    } catch (ImageException e) {
      // resize2fs died before its undo file was complete, so it had not changed the image yet;
      // the check below refuses an image that is damaged anyway.
      check(image);
    }
    AtomicFiles.deleteQuietly(undo);
  }

  /**
   * Checks and repairs what is safe to repair automatically ({@code e2fsck -f -p}).
   *
   * @throws ImageException (not retryable) when the filesystem needs a manual repair
   */
  public void check(Path image) {
    Ext4Tools.Result r = tools.exec(List.of(tools.path("e2fsck"), "-f", "-p", image.toString()));
    if (r.exit() >= 4) {
      throw new ImageException(
          "the filesystem needs a manual repair (e2fsck exited "
              + r.exit()
              + "): "
              + Ext4Tools.tail(r.output()),
          false,
          null);
    }
  }

  /**
   * Copies an image to {@code target} keeping holes, as one point in time: the copy is kept only
   * when the source's modification and change times, size and inode were the same before and after
   * it, that is when nothing wrote to the source during the copy, and it is retried otherwise. A
   * copy of an image that an instance has attached is then what a power cut at that moment would
   * have left: crash-consistent.
   *
   * @param image the source image
   * @param target the copy; replaced atomically
   * @param attempts how many copies to try before giving up
   * @throws ImageException (retryable) when every attempt saw a write
   */
  public void pointInTimeCopy(Path image, Path target, int attempts) {
    Path tmp = AtomicFiles.sibling(target, ".new");
    try {
      Files.createDirectories(target.getParent());
      for (int i = 0; i < attempts; i++) {
        Files.deleteIfExists(tmp);
        FileStamp before = FileStamp.settled(image);
        copier.copy(image, tmp);
        if (before.equals(FileStamp.of(image))) {
          AtomicFiles.publish(tmp, target);
          return;
        }
      }
      Files.deleteIfExists(tmp);
    } catch (IOException e) {
      throw new ImageException("could not copy the image: " + e.getMessage(), true, e);
    }
    throw new ImageException(
        "the volume was written to during each of "
            + attempts
            + " copy attempts; try again or detach it first",
        true,
        null);
  }

  /**
   * Replaces an image with a copy of a snapshot, grown to {@code sizeGiB} when that is larger than
   * the snapshot. The caller makes sure no one has the image attached.
   *
   * @param snapshot the snapshot image
   * @param image the image to replace
   * @param sizeGiB the size the restored image should have at least
   */
  public void restore(Path snapshot, Path image, int sizeGiB) {
    Path tmp =
        AtomicFiles.staged(image, ".restore", "copy the snapshot", t -> copier.copy(snapshot, t));
    grow(tmp, sizeGiB);
    AtomicFiles.publish(tmp, image);
  }

  /**
   * The bytes a file takes on the host's disk ({@code stat} blocks), which for a sparse image is
   * far below its size.
   */
  public long allocatedBytes(Path file) {
    String[] parts =
        tools.run(List.of(tools.path("stat"), "-c", "%b %B", file.toString())).trim().split(" ");
    return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
  }

  /** Deletes a directory tree; a missing one is fine. */
  public void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new ImageException(
          "could not delete " + dir.getFileName() + ": " + e.getMessage(), true, e);
    }
  }

  private void cpSparse(Path from, Path to) throws IOException {
    Ext4Tools.Result r =
        tools.exec(
            List.of(
                tools.path("cp"),
                "--sparse=always",
                "--reflink=auto",
                from.toString(),
                to.toString()));
    if (r.exit() != 0) {
      throw new IOException("cp exited " + r.exit() + ": " + Ext4Tools.tail(r.output()));
    }
  }
}
