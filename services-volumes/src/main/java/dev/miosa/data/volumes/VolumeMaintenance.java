package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.InvalidConfigException;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.volumes.image.VolumeImages;

/**
 * Changes to a detached volume's image: growing it and restoring a snapshot into it. Each holds the
 * volume for its operation (an attachment of kind {@code operation}, which takes a fencing token),
 * so no instance can attach while the image changes. The hold ends when the change succeeds; after
 * a failure it stays until the operation's retry succeeds, its hold lapses ({@link
 * VolumeSettings#operationHold()}) or an operator forces a detach, because the image may be
 * half-changed.
 */
public final class VolumeMaintenance {

  private final VolumeStore store;
  private final VolumeAttachments attachments;
  private final VolumeSnapshots snapshots;
  private final VolumeImages images;
  private final VolumeLayout layout;

  /**
   * @param store the volumes table
   * @param attachments who holds volumes
   * @param snapshots the snapshots
   * @param images image operations
   * @param layout where files live
   */
  public VolumeMaintenance(
      VolumeStore store,
      VolumeAttachments attachments,
      VolumeSnapshots snapshots,
      VolumeImages images,
      VolumeLayout layout) {
    this.store = store;
    this.attachments = attachments;
    this.snapshots = snapshots;
    this.images = images;
    this.layout = layout;
  }

  /**
   * Checks a new size against a volume: 1 to 1,024 GiB and not smaller than it is.
   *
   * @param volume the volume
   * @param sizeGiB the size asked for (a JSON value)
   * @return the size
   * @throws InvalidConfigException naming {@code sizeGiB}
   */
  public static int checkGrowth(Volume volume, Object sizeGiB) {
    int size = VolumeConfig.sizeGiB(sizeGiB, "sizeGiB");
    if (size < volume.sizeGiB()) {
      throw new InvalidConfigException(
          "sizeGiB",
          "volumes only grow: the volume of "
              + volume.environmentName()
              + " has "
              + volume.sizeGiB()
              + " GiB and cannot shrink to "
              + size
              + " GiB");
    }
    return size;
  }

  /**
   * Grows a detached volume's image and filesystem ({@code resize2fs}) to {@code sizeGiB}, and
   * raises the data service's {@code config.sizeGiB} to it. Growing to the current size is a no-op.
   *
   * @param resourceId the volume
   * @param sizeGiB the new size
   * @param operationId the operation doing it (the holder while it runs)
   * @throws InvalidConfigException when it would shrink
   * @throws MiosaException {@code VOLUME_ATTACHED} when an instance holds it
   */
  public void resize(String resourceId, int sizeGiB, String operationId) {
    Volume volume = volume(resourceId);
    checkGrowth(volume, sizeGiB);
    attachments.holdForOperation(resourceId, operationId);
    images.grow(layout.image(resourceId), sizeGiB);
    store.setSize(resourceId, sizeGiB);
    store.raiseConfiguredSize(resourceId, sizeGiB);
    attachments.release(resourceId, operationId);
  }

  /**
   * Replaces a detached volume's image with its snapshot. The volume keeps its size when it has
   * grown since the snapshot (volumes never shrink).
   *
   * @param snapshotId a ready snapshot
   * @param operationId the operation doing it (the holder while it runs)
   * @throws MiosaException {@code SNAPSHOT_NOT_FOUND}, {@code SNAPSHOT_NOT_READY}, {@code
   *     VOLUME_ATTACHED}
   */
  public void restore(String snapshotId, String operationId) {
    Snapshot snap = readySnapshot(snapshotId);
    Volume volume = volume(snap.resourceId());
    int size = Math.max(volume.sizeGiB(), snap.sizeGiB());
    attachments.holdForOperation(volume.resourceId(), operationId);
    images.restore(snapshots.file(snap), layout.image(volume.resourceId()), size);
    store.setSize(volume.resourceId(), size);
    attachments.release(volume.resourceId(), operationId);
  }

  /**
   * A ready snapshot.
   *
   * @throws MiosaException {@code SNAPSHOT_NOT_FOUND} or {@code SNAPSHOT_NOT_READY}
   */
  Snapshot readySnapshot(String snapshotId) {
    Snapshot snap =
        snapshots
            .find(snapshotId)
            .filter(s -> !"deleted".equals(s.state()))
            .orElseThrow(
                () ->
                    new MiosaException(ErrorCode.SNAPSHOT_NOT_FOUND, "no snapshot " + snapshotId));
    if (!snap.ready()) {
      throw new MiosaException(
          ErrorCode.SNAPSHOT_NOT_READY, "snapshot " + snapshotId + " is " + snap.state());
    }
    return snap;
  }

  private Volume volume(String resourceId) {
    return store
        .find(resourceId)
        .orElseThrow(() -> new MiosaException(ErrorCode.VOLUME_NOT_FOUND, "no such volume"));
  }
}
