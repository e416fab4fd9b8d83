package dev.miosa.data.storage;

import dev.miosa.data.provisioner.resource.ResourceRow;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.spi.CredentialRotation;
import java.util.List;
import java.util.Optional;

/**
 * {@link StorageTargets} over the control-plane database: a resource counts while its data service
 * is active, it is wanted ({@code desired = present}) and ready. A deleted data service's key
 * therefore stops working as soon as the delete is asked for.
 */
public final class StoredStorageTargets implements StorageTargets {

  private final ResourceStore resources;

  /**
   * @param resources the resource table
   */
  public StoredStorageTargets(ResourceStore resources) {
    this.resources = resources;
  }

  @Override
  public Optional<StorageTarget> find(String resourceId) {
    return resources
        .find(resourceId)
        .filter(StoredStorageTargets::live)
        .map(StoredStorageTargets::target);
  }

  /**
   * Every live storage resource's target, for housekeeping across buckets.
   *
   * @return the targets of ready storage resources of active data services
   */
  public List<StorageTarget> all() {
    return resources.readyOfType("storage").stream()
        .filter(StoredStorageTargets::live)
        .map(StoredStorageTargets::target)
        .toList();
  }

  private static boolean live(ResourceRow r) {
    return "storage".equals(r.serviceType())
        && "active".equals(r.serviceState())
        && "present".equals(r.desired())
        && "ready".equals(r.phase())
        && r.attributes().containsKey(StorageProvider.ATTR_BUCKET)
        && r.attributes().containsKey(StorageProvider.ATTR_KEY_SHA256);
  }

  private static StorageTarget target(ResourceRow r) {
    return new StorageTarget(
        r.id(),
        r.backend(),
        r.attributes().get(StorageProvider.ATTR_BUCKET),
        r.attributes().get(StorageProvider.ATTR_KEY_SHA256),
        StorageConfig.from(r.config()),
        r.attributes().get(CredentialRotation.PREVIOUS + StorageProvider.ATTR_KEY_SHA256));
  }
}
