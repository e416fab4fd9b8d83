package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.BiConsumer;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Keeps a data service (or one environment) from being deleted while an instance holds one of its
 * volumes, or, forced, detaches those instances first. Reached through {@link
 * VolumeAttachments#guardDeletion}.
 */
final class VolumeDeletionGuard {

  private final TransactionOperations tx;
  private final VolumeStore store;
  private final AttachmentRows rows;
  private final BiConsumer<Volume, AttachmentRows.Row> forcedDetach;

  /**
   * @param forcedDetach told of every holder detached by force, in the transaction that ends it
   */
  VolumeDeletionGuard(
      TransactionOperations tx,
      VolumeStore store,
      AttachmentRows rows,
      BiConsumer<Volume, AttachmentRows.Row> forcedDetach) {
    this.tx = tx;
    this.store = store;
    this.rows = rows;
    this.forcedDetach = forcedDetach;
  }

  /**
   * Refuses to let a data service (or one environment of it) be deleted while an instance holds one
   * of its volumes; with {@code force}, detaches those instances (bumping the fencing tokens)
   * instead. Call it in the transaction that marks the resources for removal: it locks the volumes,
   * so no attachment can begin between this check and that commit (attaching a volume whose
   * resource is marked absent is refused).
   *
   * @param serviceId the data service
   * @param environmentId one environment, or null for all
   * @param force detach the holders instead of refusing
   * @return the holders that were detached
   * @throws MiosaException {@code VOLUME_ATTACHED} naming the holders, without force
   */
  List<Holder> guardDeletion(String serviceId, String environmentId, boolean force) {
    return tx.execute(
        s -> {
          List<Volume> volumes = new ArrayList<>(store.ofService(serviceId, environmentId));
          volumes.sort(Comparator.comparing(Volume::resourceId)); // one lock order: no deadlocks
          List<Holder> holders = new ArrayList<>();
          List<AttachmentRows.Row> toEnd = new ArrayList<>();
          for (Volume v : volumes) {
            store.lock(v.resourceId());
            Optional<AttachmentRows.Row> live = rows.liveOf(v.resourceId());
            if (live.isPresent() && Holder.INSTANCE.equals(live.get().kind())) {
              if (live.get().valid()) {
                holders.add(live.get().holderOn(v));
              }
              toEnd.add(live.get());
            }
          }
          if (!holders.isEmpty() && !force) {
            throw Holder.refusal(
                ErrorCode.VOLUME_ATTACHED,
                "the volume is attached to "
                    + String.join(
                        ", ",
                        holders.stream()
                            .map(h -> h.describe() + " (" + h.environment() + ")")
                            .toList())
                    + "; detach it first, or force the detach",
                holders);
          }
          for (AttachmentRows.Row r : toEnd) {
            rows.end(r.id(), r.valid() ? "forced" : "expired");
            if (r.valid()) {
              store.nextToken(r.resourceId());
              volumes.stream()
                  .filter(v -> v.resourceId().equals(r.resourceId()))
                  .findFirst()
                  .ifPresent(v -> forcedDetach.accept(v, r));
            }
          }
          return holders;
        });
  }
}
