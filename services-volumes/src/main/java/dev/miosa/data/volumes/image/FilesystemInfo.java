package dev.miosa.data.volumes.image;

/**
 * What {@code dumpe2fs -h} says about an image's filesystem.
 *
 * @param blockCount blocks in the filesystem
 * @param blockSize bytes per block
 * @param state {@code clean}, {@code not clean}, {@code clean with errors}, ...
 * @param uuid the filesystem UUID
 */
public record FilesystemInfo(long blockCount, int blockSize, String state, String uuid) {

  /** The filesystem's size in bytes. */
  public long sizeBytes() {
    return blockCount * blockSize;
  }
}
