package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.event.EventPublisher;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.spi.OperationHandler;
import dev.miosa.data.volumes.image.VolumeImages;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

/**
 * The volume service's parts, wired together: what the api (or a test) builds from its settings, a
 * client on the control-plane database and a transaction template.
 */
public final class Volumes {

  private final VolumeStore store;
  private final VolumeAttachments attachments;
  private final VolumeSnapshots snapshots;
  private final VolumeMaintenance maintenance;
  private final VolumeOperations operations;
  private final VolumeProvider provider;

  /**
   * @param settings root, mount path, leases
   * @param jdbc a client on the control-plane database
   * @param tx a transaction template on the same database
   * @param operationStore the durable operation queue
   * @param images image operations (e2fsprogs)
   */
  public Volumes(
      VolumeSettings settings,
      JdbcClient jdbc,
      TransactionOperations tx,
      OperationStore operationStore,
      VolumeImages images) {
    this(settings, jdbc, tx, operationStore, images, EventPublisher.NONE);
  }

  /**
   * @param settings root, mount path, leases
   * @param jdbc a client on the control-plane database
   * @param tx a transaction template on the same database
   * @param operationStore the durable operation queue
   * @param images image operations (e2fsprogs)
   * @param events told {@code volume.attached} and {@code volume.detached}
   */
  public Volumes(
      VolumeSettings settings,
      JdbcClient jdbc,
      TransactionOperations tx,
      OperationStore operationStore,
      VolumeImages images,
      EventPublisher events) {
    VolumeLayout layout = new VolumeLayout(settings.root());
    this.store = new VolumeStore(jdbc);
    this.attachments = new VolumeAttachments(jdbc, tx, store, settings, events);
    this.snapshots = new VolumeSnapshots(jdbc, store, attachments, images, layout);
    this.maintenance = new VolumeMaintenance(store, attachments, snapshots, images, layout);
    this.operations =
        new VolumeOperations(tx, operationStore, store, attachments, snapshots, maintenance);
    this.provider = new VolumeProvider(settings, store, attachments, snapshots, images);
  }

  /** The {@code volume} service provider. */
  public VolumeProvider provider() {
    return provider;
  }

  /** Attach, renew, detach, forced detach, the deletion guard. */
  public VolumeAttachments attachments() {
    return attachments;
  }

  /** Snapshots. */
  public VolumeSnapshots snapshots() {
    return snapshots;
  }

  /** Resize and restore, run by the operation handlers. */
  public VolumeMaintenance maintenance() {
    return maintenance;
  }

  /** Requests of snapshots, restores and resizes as durable operations. */
  public VolumeOperations operations() {
    return operations;
  }

  /** The operation handlers to register with the provisioner. */
  public List<OperationHandler> handlers() {
    return operations.handlers();
  }

  /** The volumes table. */
  public VolumeStore store() {
    return store;
  }
}
