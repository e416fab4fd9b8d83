package dev.miosa.data.api.service;

/**
 * Asked before the resources of a data service (or of one of its environments) are marked for
 * removal, inside the same transaction, so that a service type can refuse a delete that would
 * destroy data in use (a volume attached to an instance) or clear the way when the operator forces
 * it.
 */
public interface DeletionGuard {

  /**
   * @param service the data service being deleted
   * @param environmentId the environment being deleted, or null for the whole data service
   * @param force whether the operator asked to override ({@code ?force=true})
   * @throws dev.miosa.data.provisioner.spi.MiosaException to refuse (the delete is rolled back)
   */
  void beforeDelete(DataService service, String environmentId, boolean force);
}
