package dev.miosa.data.api.wiring;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Volume settings ({@code miosa.volumes.*}, environment {@code MIOSA_VOLUMES_*}).
 *
 * @param root the volume host's directory of images ({@code MIOSA_VOLUMES_ROOT}); unset: {@code
 *     <data dir>/volumes}, the embedded default
 * @param mountPath where instances mount the {@code main} volume, given to them as {@code
 *     VOLUME_PATH} ({@code MIOSA_VOLUMES_MOUNT_PATH}, default {@code /data}; a volume named {@code
 *     cache} mounts at {@code /data-cache})
 * @param leaseDuration how long an attachment lasts unless its holder renews it ({@code
 *     MIOSA_VOLUMES_LEASE_DURATION}, default {@code 60s})
 * @param operationHold the longest a resize or restore keeps instances off a volume if its replica
 *     dies ({@code MIOSA_VOLUMES_OPERATION_HOLD}, default {@code 1h})
 */
@ConfigurationProperties("miosa.volumes")
public record VolumeProperties(
    Path root, String mountPath, Duration leaseDuration, Duration operationHold) {}
