package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.InvalidConfigException;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.provisioner.spi.OperationHandler;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.volumes.image.ImageException;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Snapshots, restores and resizes as durable operations: the request is checked at once (so a
 * client gets its {@code 400}/{@code 404}/{@code 409} right away, and nothing is queued then), then
 * queued in the {@code operations} table and run by an {@link OperationHandler} on any replica. The
 * checks run again when the operation runs, since the volume may have changed.
 */
public final class VolumeOperations {

  /** Operation type of a snapshot. */
  public static final String SNAPSHOT = "volume.snapshot";

  /** Operation type of a restore into the same volume. */
  public static final String RESTORE = "volume.restore";

  /** Operation type of a resize. */
  public static final String RESIZE = "volume.resize";

  static final int MAX_ATTEMPTS = 5;

  private final TransactionOperations tx;
  private final OperationStore operations;
  private final VolumeStore store;
  private final VolumeAttachments attachments;
  private final VolumeSnapshots snapshots;
  private final VolumeMaintenance maintenance;

  /**
   * @param tx runs work in one transaction
   * @param operations the durable queue
   * @param store the volumes table
   * @param attachments who holds volumes
   * @param snapshots the snapshots
   * @param maintenance resize and restore
   */
  public VolumeOperations(
      TransactionOperations tx,
      OperationStore operations,
      VolumeStore store,
      VolumeAttachments attachments,
      VolumeSnapshots snapshots,
      VolumeMaintenance maintenance) {
    this.tx = tx;
    this.operations = operations;
    this.store = store;
    this.attachments = attachments;
    this.snapshots = snapshots;
    this.maintenance = maintenance;
  }

  /**
   * Asks for a snapshot of a volume, attached or not.
   *
   * @param resourceId the volume
   * @return the pending snapshot, with the id of the operation that takes it
   * @throws MiosaException {@code VOLUME_NOT_FOUND}
   */
  public Snapshot requestSnapshot(String resourceId) {
    return tx.execute(
        s -> {
          Volume volume = volume(resourceId);
          Snapshot snap = snapshots.create(resourceId);
          String op =
              enqueue(SNAPSHOT, volume, Map.of("resourceId", resourceId, "snapshotId", snap.id()));
          snapshots.setOperation(snap.id(), op);
          return snapshots.find(snap.id()).orElseThrow();
        });
  }

  /**
   * Asks for a snapshot to be restored into its own volume, which must be detached.
   *
   * @param serviceId the data service the snapshot must belong to
   * @param snapshotId the snapshot
   * @return the operation id
   * @throws MiosaException {@code SNAPSHOT_NOT_FOUND}, {@code SNAPSHOT_NOT_READY}, {@code
   *     VOLUME_ATTACHED}
   */
  public String requestRestore(String serviceId, String snapshotId) {
    Snapshot snap = maintenance.readySnapshot(snapshotId);
    if (!snap.serviceId().equals(serviceId)) {
      throw new MiosaException(
          ErrorCode.SNAPSHOT_NOT_FOUND, "no snapshot " + snapshotId + " on this data service");
    }
    Volume volume = volume(snap.resourceId());
    requireDetached(volume, "restored");
    return enqueue(
        RESTORE, volume, Map.of("resourceId", volume.resourceId(), "snapshotId", snapshotId));
  }

  /**
   * Asks for a detached volume to grow.
   *
   * @param resourceId the volume
   * @param sizeGiB the new size (a JSON value: 1 to 1,024, not less than now)
   * @return the operation id
   * @throws InvalidConfigException naming {@code sizeGiB} for a bad size or a shrink
   * @throws MiosaException {@code VOLUME_NOT_FOUND}, {@code VOLUME_ATTACHED}
   */
  public String requestResize(String resourceId, Object sizeGiB) {
    Volume volume = volume(resourceId);
    int size = VolumeMaintenance.checkGrowth(volume, sizeGiB);
    requireDetached(volume, "resized");
    return enqueue(RESIZE, volume, Map.of("resourceId", resourceId, "sizeGiB", size));
  }

  /** The handlers of the three operation types, to register with the provisioner. */
  public List<OperationHandler> handlers() {
    return List.of(snapshotHandler(), restoreHandler(), resizeHandler());
  }

  /** Runs {@value #SNAPSHOT} operations. */
  public OperationHandler snapshotHandler() {
    return handler(SNAPSHOT, (op, p) -> snapshots.take(String.valueOf(p.get("snapshotId"))));
  }

  /** Runs {@value #RESTORE} operations. */
  public OperationHandler restoreHandler() {
    return handler(
        RESTORE, (op, p) -> maintenance.restore(String.valueOf(p.get("snapshotId")), op));
  }

  /** Runs {@value #RESIZE} operations. */
  public OperationHandler resizeHandler() {
    return handler(
        RESIZE,
        (op, p) ->
            maintenance.resize(
                String.valueOf(p.get("resourceId")), ((Number) p.get("sizeGiB")).intValue(), op));
  }

  private void requireDetached(Volume volume, String verb) {
    attachments
        .current(volume.resourceId())
        .ifPresent(
            a -> {
              throw Holder.refusal(
                  ErrorCode.VOLUME_ATTACHED,
                  "the volume of "
                      + volume.environmentName()
                      + " is held by "
                      + a.asHolder().describe()
                      + "; it can be "
                      + verb
                      + " only while detached",
                  List.of(a.asHolder()));
            });
  }

  private String enqueue(String type, Volume volume, Map<String, Object> params) {
    return operations.enqueue(
        type, volume.projectId(), volume.serviceId(), volume.environmentId(), params, MAX_ATTEMPTS);
  }

  private Volume volume(String resourceId) {
    return store
        .find(resourceId)
        .orElseThrow(() -> new MiosaException(ErrorCode.VOLUME_NOT_FOUND, "no such volume"));
  }

  private static OperationHandler handler(
      String type, BiConsumer<String, Map<String, Object>> body) {
    return new OperationHandler() {
      @Override
      public String operationType() {
        return type;
      }

      @Override
      public void execute(
          String operationId, ResourceContext resource, Map<String, Object> params) {
        try {
          body.accept(operationId, params);
        } catch (InvalidConfigException e) {
          throw new ProvisioningException(
              "INVALID_REQUEST", e.field() + " " + e.problem(), false, e);
        } catch (MiosaException e) {
          throw new ProvisioningException(e.code().name(), e.getMessage(), false, e);
        } catch (ImageException e) {
          throw new ProvisioningException("IMAGE_FAILED", e.getMessage(), e.retryable(), e);
        } catch (IllegalArgumentException e) {
          throw new ProvisioningException("INVALID_REQUEST", e.getMessage(), false, e);
        }
      }
    };
  }
}
