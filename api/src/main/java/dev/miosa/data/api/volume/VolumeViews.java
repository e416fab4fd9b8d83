package dev.miosa.data.api.volume;

import dev.miosa.data.volumes.Attachment;
import dev.miosa.data.volumes.Snapshot;
import java.time.Instant;

/** JSON shapes of the volume endpoints. */
final class VolumeViews {

  private VolumeViews() {}

  /**
   * An attachment: the mount spec its instance follows.
   *
   * @param id attachment id
   * @param environment environment name
   * @param instanceId the holder
   * @param imagePath the image file on the volume host
   * @param filesystem {@code ext4}
   * @param mountPath where to mount it ({@code VOLUME_PATH})
   * @param sizeGiB image size
   * @param fencingToken grows with every new attachment and forced detach; send it with writes and
   *     with {@code ?fencingToken=} on renew and detach
   * @param attachedAt when the attachment began
   * @param leaseExpiresAt renew (PUT) before this, or another instance may take the volume over
   */
  record AttachmentView(
      String id,
      String environment,
      String instanceId,
      String imagePath,
      String filesystem,
      String mountPath,
      int sizeGiB,
      long fencingToken,
      Instant attachedAt,
      Instant leaseExpiresAt) {
    static AttachmentView of(Attachment a) {
      return new AttachmentView(
          a.id(),
          a.environment(),
          a.holder(),
          a.imagePath(),
          a.filesystem(),
          a.mountPath(),
          a.sizeGiB(),
          a.fencingToken(),
          a.attachedAt(),
          a.leaseExpiresAt());
    }
  }

  /**
   * A snapshot.
   *
   * @param id snapshot id
   * @param environment environment of the volume
   * @param state {@code pending | ready | failed}
   * @param consistency {@code consistent | crash-consistent}, once ready
   * @param sizeGiB image size, once ready
   * @param allocatedBytes bytes used on the volume host (the copy is sparse), once ready
   * @param operationId the operation taking it
   * @param createdAt when it was asked for
   * @param completedAt when it became ready
   */
  record SnapshotView(
      String id,
      String environment,
      String state,
      String consistency,
      Integer sizeGiB,
      Long allocatedBytes,
      String operationId,
      Instant createdAt,
      Instant completedAt) {
    static SnapshotView of(Snapshot s) {
      return new SnapshotView(
          s.id(),
          s.environment(),
          s.state(),
          s.consistency(),
          s.sizeGiB(),
          s.allocatedBytes(),
          s.operationId(),
          s.createdAt(),
          s.completedAt());
    }
  }
}
