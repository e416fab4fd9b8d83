package dev.miosa.data.volumes;

import dev.miosa.data.volumes.image.VolumeImages;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** Base of the volume tests: a {@link VolumeWorld} per test class. */
abstract class VolumeWorldTest {

  static VolumeWorld world;
  static final VolumeImages images = new VolumeImages();
  private static final AtomicInteger names = new AtomicInteger();

  @BeforeAll
  static void startWorld() throws Exception {
    world = new VolumeWorld();
  }

  @AfterAll
  static void stopWorld() {
    world.close();
  }

  /** A new volume data service of 1 GiB (named {@code vol-N}: names are unique per project). */
  static VolumeWorld.Service newService() {
    return world.createService("vol-" + names.incrementAndGet(), Map.of());
  }
}
