package dev.miosa.data.storage;

import static dev.miosa.data.storage.StorageFixture.BACKEND;
import static dev.miosa.data.storage.StorageFixture.PROVIDER;

import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import dev.miosa.data.provisioner.testing.ServiceProviderContract;
import io.minio.BucketExistsArgs;
import java.util.Map;
import java.util.Set;

/** The provider contract on a real S3Proxy: a resource is a bucket. */
class StorageProviderContractIT extends ServiceProviderContract {

  @Override
  protected ServiceProvider provider() {
    return PROVIDER;
  }

  @Override
  protected ResourceContext newResource() {
    return InMemoryResourceContext.of("production", BACKEND, PROVIDER.validateConfig(Map.of()));
  }

  @Override
  protected Set<String> variableNames() {
    return Set.of("STORAGE_BUCKET", "STORAGE_URL", "STORAGE_KEY");
  }

  @Override
  protected boolean existsOnBackend(ResourceContext resource) throws Exception {
    return StorageFixture.admin()
        .bucketExists(BucketExistsArgs.builder().bucket(PROVIDER.bucketOf(resource)).build());
  }

  /** The key is checked by the control plane's signing, which refuses a deleted data service. */
  @Override
  protected boolean disableActsOnBackend() {
    return false;
  }
}
