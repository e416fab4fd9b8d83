package dev.miosa.data.volumes;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the volume service, bound by the api from {@code MIOSA_VOLUMES_*}.
 *
 * @param root the volume host's directory of images ({@code MIOSA_VOLUMES_ROOT}); each volume gets
 *     {@code <root>/<resourceId>/volume.img} and {@code <root>/<resourceId>/snapshots/}
 * @param mountPath where instances mount the volume of the data service named {@code main} ({@code
 *     VOLUME_PATH}, default {@code /data}); a data service named {@code cache} mounts at {@code
 *     <mountPath>-cache}, so that two volumes never share a mount point
 * @param leaseDuration how long an attachment lasts unless renewed (default 60 s, 1 s to 1 h)
 * @param operationHold how long a resize or restore holds the volume at most (default 1 h): if its
 *     replica dies, instances may attach again after this
 */
public record VolumeSettings(
    Path root, String mountPath, Duration leaseDuration, Duration operationHold) {

  /** Default mount path of the {@code main} volume. */
  public static final String DEFAULT_MOUNT_PATH = "/data";

  /** Checks and fills in defaults. */
  public VolumeSettings {
    Objects.requireNonNull(root, "root");
    root = root.toAbsolutePath().normalize();
    if (mountPath == null || mountPath.isBlank()) {
      mountPath = DEFAULT_MOUNT_PATH;
    }
    if (!mountPath.startsWith("/")
        || !Path.of(mountPath).normalize().toString().equals(mountPath)
        || mountPath.equals("/")) {
      throw new IllegalArgumentException(
          "the volume mount path must be an absolute, normalized path other than /: " + mountPath);
    }
    if (leaseDuration == null) {
      leaseDuration = Duration.ofSeconds(60);
    }
    if (leaseDuration.compareTo(Duration.ofSeconds(1)) < 0
        || leaseDuration.compareTo(Duration.ofHours(1)) > 0) {
      throw new IllegalArgumentException(
          "the attachment lease must be between 1 second and 1 hour");
    }
    if (operationHold == null) {
      operationHold = Duration.ofHours(1);
    }
    if (operationHold.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new IllegalArgumentException("the operation hold must be at least 1 minute");
    }
  }

  /** Settings with default mount path and leases. */
  public static VolumeSettings of(Path root) {
    return new VolumeSettings(root, null, null, null);
  }

  /**
   * The mount path of a data service's volume: {@link #mountPath()} for {@code main}, {@code
   * <mountPath>-<name>} for any other name.
   *
   * @param serviceName the data service name ({@code [a-z][a-z0-9-]*})
   */
  public String mountPathFor(String serviceName) {
    return "main".equals(serviceName) ? mountPath : mountPath + "-" + serviceName;
  }
}
