package dev.miosa.data.volumes;

import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Where a volume's files live under the volume root. Names come from generated ids only (never from
 * user input), checked against their shape before they touch a path:
 *
 * <pre>
 * root/res_x.../volume.img                 the image
 * root/res_x.../snapshots/snp_y....img     its snapshots
 * </pre>
 */
public final class VolumeLayout {

  private static final Pattern ID = Pattern.compile("[a-z]{2,4}_[a-z0-9]{8,40}");

  private final Path root;

  /**
   * @param root the volume root (absolute)
   */
  public VolumeLayout(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The volume root. */
  public Path root() {
    return root;
  }

  /** The directory holding one volume's image and snapshots. */
  public Path volumeDir(String resourceId) {
    return root.resolve(checked(resourceId));
  }

  /** The image file of a volume. */
  public Path image(String resourceId) {
    return volumeDir(resourceId).resolve("volume.img");
  }

  /** The directory of a volume's snapshots. */
  public Path snapshotDir(String resourceId) {
    return volumeDir(resourceId).resolve("snapshots");
  }

  /** The image file of one snapshot. */
  public Path snapshot(String resourceId, String snapshotId) {
    return snapshotDir(resourceId).resolve(checked(snapshotId) + ".img");
  }

  private static String checked(String id) {
    if (id == null || !ID.matcher(id).matches()) {
      throw new IllegalArgumentException("not a generated id");
    }
    return id;
  }
}
