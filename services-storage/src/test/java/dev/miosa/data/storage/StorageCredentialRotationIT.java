package dev.miosa.data.storage;

import dev.miosa.data.provisioner.spi.CredentialRotation;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import dev.miosa.data.provisioner.testing.CredentialRotationContract;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import java.util.Map;
import java.util.Optional;

/**
 * The rotation contract on the shared S3Proxy: the signing API accepts the current and, during the
 * grace, the previous STORAGE_KEY, read from the resource's record as the stored targets do.
 */
class StorageCredentialRotationIT extends CredentialRotationContract {

  @Override
  protected ServiceProvider provider() {
    return StorageFixture.PROVIDER;
  }

  @Override
  protected InMemoryResourceContext newResource() {
    return InMemoryResourceContext.of(
        "production", StorageFixture.BACKEND, StorageFixture.PROVIDER.validateConfig(Map.of()));
  }

  @Override
  protected boolean works(InMemoryResourceContext resource, Map<String, String> variables) {
    StorageTarget target =
        new StorageTarget(
            resource.resourceId(),
            StorageFixture.BACKEND,
            resource.attributes().get(StorageProvider.ATTR_BUCKET),
            resource.attributes().get(StorageProvider.ATTR_KEY_SHA256),
            StorageConfig.from(resource.config()),
            resource
                .attributes()
                .get(CredentialRotation.PREVIOUS + StorageProvider.ATTR_KEY_SHA256));
    StorageSigning signing =
        new StorageSigning(
            id -> Optional.of(target),
            StorageFixture.BACKENDS,
            StorageFixture.SIGNER,
            StorageFixture.CONTENT);
    try {
      signing.authenticate(resource.resourceId(), variables.get("STORAGE_KEY"));
      return true;
    } catch (MiosaException e) {
      return false;
    }
  }
}
