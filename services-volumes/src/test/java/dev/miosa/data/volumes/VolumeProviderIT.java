package dev.miosa.data.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.provisioner.resource.StoredResourceContext;
import dev.miosa.data.provisioner.spi.InvalidConfigException;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.volumes.image.FilesystemInfo;
import dev.miosa.data.volumes.image.VolumeImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The volume provider: images on disk, data that outlives instances, config validation. */
class VolumeProviderIT extends VolumeWorldTest {

  @Test
  void provisionCreatesASparseExt4ImageOfThePlannedSizeForEachEnvironment() throws Exception {
    var service = world.createService("main", Map.of("sizeGiB", 2));
    for (String env : List.of("production", "staging")) {
      Path image = world.image(service.resource(env));
      FilesystemInfo fs = images.inspect(image);
      assertThat(fs.sizeBytes()).isEqualTo(2L * VolumeImages.GIB);
      assertThat(fs.state()).isEqualTo("clean");
      assertThat(Files.size(image)).isEqualTo(2L * VolumeImages.GIB);
      assertThat(images.allocatedBytes(image)).isLessThan(Files.size(image) / 100);
      assertThat(Files.getPosixFilePermissions(image)).hasSize(2); // rw-------
    }
    assertThat(images.inspect(world.image(service.resource("production"))).uuid())
        .isNotEqualTo(images.inspect(world.image(service.resource("staging"))).uuid());

    var row = world.resources.find(service.resource("production")).orElseThrow();
    assertThat(row.phase()).isEqualTo("ready");
    var ctx = new StoredResourceContext(row, world.resources, VolumeWorld.CIPHER, null);
    assertThat(world.volumes.provider().variables(ctx))
        .containsExactly(Map.entry("VOLUME_PATH", "/data"));
  }

  @Test
  void aVolumeNamedOtherThanMainMountsBesideIt() {
    var service = world.createService("cache", Map.of());
    var ctx =
        new StoredResourceContext(
            world.resources.find(service.resource("staging")).orElseThrow(),
            world.resources,
            VolumeWorld.CIPHER,
            null);
    assertThat(world.volumes.provider().variables(ctx))
        .containsExactly(Map.entry("VOLUME_PATH", "/data-cache"));
  }

  @Test
  void badSizesAreRefusedNamingConfigSizeGiBAndNothingIsCreated() throws Exception {
    List<Path> before = listRoot();
    for (Object bad : List.of(0, -1, 2048, 1025, "ten", 1.5, true)) {
      Map<String, Object> config = new HashMap<>();
      config.put("sizeGiB", bad);
      assertThatThrownBy(() -> world.createService("bad", config))
          .as(String.valueOf(bad))
          .isInstanceOfSatisfying(
              InvalidConfigException.class,
              e -> {
                assertThat(e.field()).isEqualTo("config.sizeGiB");
                assertThat(e.getMessage()).contains("1").contains("1024");
              });
    }
    assertThatThrownBy(() -> world.createService("bad", Map.of("size", 1)))
        .isInstanceOfSatisfying(
            InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("config.size"));
    assertThatThrownBy(
            () -> world.createService("bad", Map.of("fromSnapshot", "snp_aaaaaaaaaaaaaaaaaaaa")))
        .isInstanceOfSatisfying(
            InvalidConfigException.class,
            e -> assertThat(e.field()).isEqualTo("config.fromSnapshot"));
    assertThat(
            world
                .replica
                .jdbc()
                .sql("SELECT count(*) FROM data_services WHERE name = 'bad'")
                .query(Integer.class)
                .single())
        .isZero();
    assertThat(listRoot()).isEqualTo(before);
    assertThat(world.volumes.provider().validateConfig(Map.of()))
        .containsExactly(Map.entry("sizeGiB", 1));
    assertThat(world.volumes.provider().validateConfig(Map.of("sizeGiB", 1024)))
        .containsEntry("sizeGiB", 1024);
  }

  @Test
  void provisioningAgainLeavesTheDataAlone() throws Exception {
    var service = world.createService("again", Map.of());
    String id = service.resource("production");
    Debugfs.write(world.image(id), "kept.txt", "still here");
    var ctx =
        new StoredResourceContext(
            world.resources.find(id).orElseThrow(), world.resources, VolumeWorld.CIPHER, null);
    assertThat(world.volumes.provider().provision(ctx).action())
        .isEqualTo(ProvisionResult.Action.UNCHANGED);
    assertThat(Debugfs.read(world.image(id), "kept.txt")).contains("still here");
  }

  @Test
  void aFileSurvivesDetachReattachByAnotherInstanceAndARestart() throws Exception {
    var service = world.createService("durable", Map.of());
    String id = service.resource("production");
    VolumeAttachments attachments = world.volumes.attachments();

    Attachment first = attachments.attach(id, "vm-1");
    Path image = Path.of(first.imagePath());
    Debugfs.write(image, "hello.txt", "written by vm-1");
    attachments.detach(service.id(), null, "vm-1", first.fencingToken(), false);

    Attachment second = attachments.attach(id, "vm-2");
    assertThat(second.fencingToken()).isGreaterThan(first.fencingToken());
    assertThat(Debugfs.read(Path.of(second.imagePath()), "hello.txt")).contains("written by vm-1");

    // A restart: new pools and a new service over the same database and volume root. The
    // attachment is still vm-2's, and the data is there for the next holder.
    Volumes restarted = world.otherReplica();
    assertThat(restarted.attachments().current(id)).map(Attachment::holder).contains("vm-2");
    restarted.attachments().detach(service.id(), null, "vm-2", second.fencingToken(), false);
    Attachment third = restarted.attachments().attach(id, "vm-3");
    assertThat(third.fencingToken()).isGreaterThan(second.fencingToken());
    assertThat(Debugfs.read(Path.of(third.imagePath()), "hello.txt")).contains("written by vm-1");
    assertThat(images.inspect(image).state()).isEqualTo("clean");
  }

  @Test
  void deletingTheServiceRemovesImagesAndSnapshotsAndAgainIsANoOp() throws Exception {
    var service = world.createService("doomed", Map.of());
    String id = service.resource("production");
    Snapshot snap = world.volumes.operations().requestSnapshot(id);
    world.run(snap.operationId());
    assertThat(Files.exists(world.volumes.snapshots().file(snap))).isTrue();

    world.volumes.attachments().guardDeletion(service.id(), null, false);
    world.deleteService(service);
    assertThat(Files.exists(world.image(id))).isFalse();
    assertThat(Files.exists(new VolumeLayout(world.root).volumeDir(id))).isFalse();
    assertThat(world.volumes.snapshots().list(service.id(), null)).isEmpty();
    assertThat(world.resources.find(id).orElseThrow().phase()).isEqualTo("deleted");

    var ctx =
        new StoredResourceContext(
            world.resources.find(id).orElseThrow(), world.resources, VolumeWorld.CIPHER, null);
    world.volumes.provider().deprovision(ctx); // already gone: no error
  }

  private static List<Path> listRoot() throws Exception {
    try (Stream<Path> s = Files.list(world.root)) {
      return s.sorted().toList();
    }
  }
}
