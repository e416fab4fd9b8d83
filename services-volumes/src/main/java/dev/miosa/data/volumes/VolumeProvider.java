package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import dev.miosa.data.volumes.image.ImageException;
import dev.miosa.data.volumes.image.VolumeImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Volumes: for each environment a sparse ext4 image of the planned size under the volume root,
 * which one runtime instance at a time may attach ({@link VolumeAttachments}) and which outlives
 * every instance that mounted it. Deleting the data service deletes the image and its snapshots.
 *
 * <p>Invariants (DESIGN.md): files are named by generated ids only; an image appears under its
 * final name only complete (made aside, fsynced, renamed); provisioning an existing image never
 * touches its data; a volume is recorded in {@code volumes} only once its image exists.
 */
public final class VolumeProvider implements ServiceProvider {

  private static final Logger log = LoggerFactory.getLogger(VolumeProvider.class);

  /** Attribute: the image's path on the volume host. */
  public static final String ATTR_IMAGE = "image";

  /** Attribute: the size the image was created with, in GiB. */
  public static final String ATTR_SIZE = "sizeGiB";

  /** Attribute: the snapshot the image was created from, or {@code none}. */
  public static final String ATTR_SEEDED_FROM = "seededFrom";

  private final VolumeSettings settings;
  private final VolumeLayout layout;
  private final VolumeStore store;
  private final VolumeAttachments attachments;
  private final VolumeSnapshots snapshots;
  private final VolumeImages images;

  /**
   * @param settings root, mount path, leases
   * @param store the volumes table
   * @param attachments who holds volumes
   * @param snapshots the snapshots
   * @param images image operations
   */
  public VolumeProvider(
      VolumeSettings settings,
      VolumeStore store,
      VolumeAttachments attachments,
      VolumeSnapshots snapshots,
      VolumeImages images) {
    this.settings = settings;
    this.layout = new VolumeLayout(settings.root());
    this.store = store;
    this.attachments = attachments;
    this.snapshots = snapshots;
    this.images = images;
  }

  @Override
  public String type() {
    return "volume";
  }

  /**
   * Accepts {@code sizeGiB} (1 to 1,024, default 1) and {@code fromSnapshot} (a ready snapshot's
   * id: each environment's volume starts as a copy of it, at least as large).
   */
  @Override
  public Map<String, Object> validateConfig(Map<String, Object> config) {
    return VolumeConfig.validate(
            config, id -> snapshots.find(id).filter(Snapshot::ready).map(Snapshot::sizeGiB))
        .toMap();
  }

  /**
   * As {@link #validateConfig(Map)}, and {@code fromSnapshot} must name a ready snapshot of this
   * project: another project's snapshot is answered as one that does not exist ({@code 404
   * SNAPSHOT_NOT_FOUND} naming {@code config.fromSnapshot}), so nothing is left provisioning.
   */
  @Override
  public Map<String, Object> validateConfig(String projectId, Map<String, Object> config) {
    VolumeConfig plan = VolumeConfig.from(config);
    if (plan.fromSnapshot() != null
        && !snapshots.projectOf(plan.fromSnapshot()).map(projectId::equals).orElse(false)) {
      String detail = "no snapshot " + plan.fromSnapshot() + " in this project";
      throw new MiosaException(
          ErrorCode.SNAPSHOT_NOT_FOUND,
          detail,
          java.util.List.of(new FieldError("config.fromSnapshot", detail)));
    }
    return validateConfig(config);
  }

  @Override
  public ProvisionResult provision(ResourceContext resource) {
    VolumeConfig plan = VolumeConfig.from(resource.config());
    String id = resource.resourceId();
    Path image = layout.image(id);
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put(ATTR_IMAGE, image.toString());
    boolean created;
    try {
      Optional<Snapshot> seed = seed(plan, resource);
      if (seed.isPresent()) {
        int size = Math.max(plan.sizeGiB(), seed.get().sizeGiB());
        created = images.createFrom(snapshots.file(seed.get()), image, size);
        attributes.put(ATTR_SIZE, Integer.toString(size));
      } else {
        created = images.create(image, plan.sizeGiB());
        attributes.put(ATTR_SIZE, Integer.toString(plan.sizeGiB()));
      }
      if (created) {
        attributes.put(ATTR_SEEDED_FROM, seed.map(Snapshot::id).orElse("none"));
      } else {
        images.inspect(image); // an existing image must hold a filesystem; its data is left alone
        attributes.remove(ATTR_SIZE);
      }
    } catch (ImageException e) {
      throw new ProvisioningException("IMAGE_FAILED", e.getMessage(), e.retryable(), e);
    }
    store.register(
        id, Integer.parseInt(attributes.getOrDefault(ATTR_SIZE, Integer.toString(plan.sizeGiB()))));
    if (created) {
      log.info(
          "volume {} ({} {}) created: {} GiB",
          id,
          resource.serviceName(),
          resource.environmentName(),
          attributes.get(ATTR_SIZE));
    }
    return new ProvisionResult(
        created ? ProvisionResult.Action.CREATED : ProvisionResult.Action.UNCHANGED, attributes);
  }

  /**
   * The snapshot to start from: the configured one when it is ready and belongs to the same
   * project; a snapshot of another project fails the operation for good. A snapshot deleted since
   * (with its volume) gives an empty filesystem, recorded as {@code seededFrom=none}, so that
   * environments added later can still be provisioned.
   */
  private Optional<Snapshot> seed(VolumeConfig plan, ResourceContext resource) {
    if (plan.fromSnapshot() == null) {
      return Optional.empty();
    }
    Optional<Snapshot> found = snapshots.find(plan.fromSnapshot());
    if (found.isPresent()
        && snapshots.projectOf(found.get().id()).filter(resource.projectId()::equals).isEmpty()) {
      // Never start from another project's data, and never pretend to: fail for good.
      throw new ProvisioningException(
          "SNAPSHOT_OF_ANOTHER_PROJECT",
          "config.fromSnapshot names a snapshot of another project",
          false,
          null);
    }
    Optional<Snapshot> snap =
        found.filter(Snapshot::ready).filter(s -> Files.exists(snapshots.file(s)));
    if (snap.isEmpty()) {
      log.warn(
          "volume {}: snapshot {} is gone; starting with an empty filesystem",
          resource.resourceId(),
          plan.fromSnapshot());
    }
    return snap;
  }

  /**
   * Deletes the image and the snapshots. While an instance holds the volume this fails (and the
   * operation retries): the api refuses such deletes up front, so this only guards other paths.
   */
  /**
   * Soft delete: the image is kept as it is. A volume may be attached only while its data service
   * and environment are active and its resource wanted and ready ({@link Volume#usable()}, checked
   * by {@link VolumeAttachments#attach}), so a deleted data service's volume is refused from the
   * moment the delete commits; the delete itself is refused while an instance holds the volume
   * unless forced, which detaches it. Idempotent.
   */
  @Override
  public void disable(ResourceContext resource) {
    // attachability is the control plane's state; the image is kept
  }

  /** Undoes {@link #disable}: nothing on disk; the volume is attachable again once ready. */
  @Override
  public void enable(ResourceContext resource) {
    // the image was never touched
  }

  @Override
  public void deprovision(ResourceContext resource) {
    String id = resource.resourceId();
    attachments
        .current(id)
        .filter(a -> Holder.INSTANCE.equals(a.holderKind()))
        .ifPresent(
            a -> {
              throw new ProvisioningException(
                  "VOLUME_ATTACHED",
                  "the volume is attached to instance " + a.holder() + "; detach it first",
                  true,
                  null);
            });
    attachments.endAll(id, "deleted");
    snapshots.markDeleted(id);
    try {
      images.deleteTree(layout.volumeDir(id));
    } catch (ImageException e) {
      throw new ProvisioningException("IMAGE_FAILED", e.getMessage(), true, e);
    }
    log.info(
        "volume {} ({} {}) deleted with its snapshots",
        id,
        resource.serviceName(),
        resource.environmentName());
  }

  @Override
  public java.util.List<String> variableNames() {
    return java.util.List.of("VOLUME_PATH");
  }

  @Override
  public Map<String, String> variables(ResourceContext resource) {
    return Map.of("VOLUME_PATH", settings.mountPathFor(resource.serviceName()));
  }
}
