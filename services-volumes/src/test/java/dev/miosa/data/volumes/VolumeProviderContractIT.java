package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import dev.miosa.data.provisioner.testing.ServiceProviderContract;
import java.nio.file.Files;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The provider contract on a real volume root: a resource is an ext4 image file. */
class VolumeProviderContractIT extends ServiceProviderContract {

  static VolumeWorld world;
  private static final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    world = new VolumeWorld();
  }

  @AfterAll
  static void stop() {
    world.close();
  }

  @Override
  protected ServiceProvider provider() {
    return world.volumes.provider();
  }

  @Override
  protected ResourceContext newResource() {
    var service = world.createUnprovisionedService("contract-" + names.incrementAndGet(), Map.of());
    return world.context(service.resource("production"));
  }

  @Override
  protected ResourceContext recorded(ResourceContext resource, ProvisionResult result) {
    world.resources.markReady(resource.resourceId(), result.attributes());
    return world.context(resource.resourceId());
  }

  @Override
  protected Set<String> variableNames() {
    return Set.of("VOLUME_PATH");
  }

  @Override
  protected boolean existsOnBackend(ResourceContext resource) {
    return Files.exists(world.image(resource.resourceId()));
  }

  /** Attachability is the control plane's state ({@code Volume.usable}); the image is kept. */
  @Override
  protected boolean disableActsOnBackend() {
    return false;
  }
}
