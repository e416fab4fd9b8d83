package dev.miosa.data.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.volumes.image.ImageException;
import dev.miosa.data.volumes.image.VolumeImages;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Snapshots and restores, run as the durable operations the api queues. */
class VolumeSnapshotsIT extends VolumeWorldTest {

  static Snapshot snapshot(String resourceId) {
    Snapshot pending = world.volumes.operations().requestSnapshot(resourceId);
    assertThat(pending.state()).isEqualTo("pending");
    world.run(pending.operationId());
    return world.volumes.snapshots().find(pending.id()).orElseThrow();
  }

  @Test
  void aSnapshotDoesNotContainALaterWriteAndRestoringItBringsTheEarlierStateBack()
      throws Exception {
    var service = newService();
    String id = service.resource("production");
    Path image = world.image(id);
    Debugfs.write(image, "before.txt", "earlier state");

    Snapshot snap = snapshot(id);
    assertThat(snap.state()).isEqualTo("ready");
    assertThat(snap.consistency()).isEqualTo("consistent");
    assertThat(snap.sizeGiB()).isEqualTo(1);
    Debugfs.write(image, "after.txt", "later write");

    Path copy = world.volumes.snapshots().file(snap);
    assertThat(Debugfs.read(copy, "before.txt")).contains("earlier state");
    assertThat(Debugfs.read(copy, "after.txt")).isEmpty();
    assertThat(Files.size(copy)).isEqualTo(VolumeImages.GIB);
    assertThat(snap.allocatedBytes()).isLessThan(VolumeImages.GIB / 100);
    assertThat(images.allocatedBytes(copy)).isEqualTo(snap.allocatedBytes());

    String restore = world.volumes.operations().requestRestore(service.id(), snap.id());
    world.run(restore);
    assertThat(Debugfs.read(image, "before.txt")).contains("earlier state");
    assertThat(Debugfs.read(image, "after.txt")).isEmpty();
    assertThat(images.allocatedBytes(image)).isLessThan(VolumeImages.GIB / 100);
    // The restore held the volume (taking a fencing token) and let it go.
    assertThat(world.volumes.attachments().current(id)).isEmpty();
    Attachment next = world.volumes.attachments().attach(id, "vm-after-restore");
    assertThat(next.fencingToken()).isEqualTo(2);

    assertThat(world.volumes.snapshots().list(service.id(), null))
        .extracting(Snapshot::id)
        .containsExactly(snap.id());
    assertThat(world.volumes.snapshots().list(service.id(), world.environments.get("staging")))
        .isEmpty();
  }

  @Test
  void aSnapshotOfAnAttachedVolumeIsCrashConsistent() throws Exception {
    var service = newService();
    String id = service.resource("production");
    world.volumes.attachments().attach(id, "vm-1");
    Debugfs.write(world.image(id), "live.txt", "written while attached");

    Snapshot snap = snapshot(id);
    assertThat(snap.consistency()).isEqualTo("crash-consistent");
    Path copy = world.volumes.snapshots().file(snap);
    assertThat(Debugfs.read(copy, "live.txt")).contains("written while attached");
    images.check(copy); // a filesystem e2fsck accepts
  }

  @Test
  void restoringIntoAnAttachedVolumeIsRefusedAndNothingIsQueued() throws Exception {
    var service = newService();
    String id = service.resource("production");
    Snapshot snap = snapshot(id);
    world.volumes.attachments().attach(id, "vm-1");
    int queued = unfinishedOperations();
    MiosaException e =
        catchThrowableOfType(
            MiosaException.class,
            () -> world.volumes.operations().requestRestore(service.id(), snap.id()));
    assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_ATTACHED);
    assertThat(e.getMessage()).contains("instance vm-1").contains("detached");
    assertThat(unfinishedOperations()).isEqualTo(queued);

    // A snapshot of another data service, or one that does not exist, is not found.
    var other = newService();
    assertThat(
            catchThrowableOfType(
                    MiosaException.class,
                    () -> world.volumes.operations().requestRestore(other.id(), snap.id()))
                .code())
        .isEqualTo(ErrorCode.SNAPSHOT_NOT_FOUND);
    assertThat(
            catchThrowableOfType(
                    MiosaException.class,
                    () ->
                        world
                            .volumes
                            .operations()
                            .requestRestore(service.id(), "snp_00000000000000000000"))
                .code())
        .isEqualTo(ErrorCode.SNAPSHOT_NOT_FOUND);
  }

  @Test
  void anInstanceAttachingDuringARestoreIsToldTheOperationHoldsTheVolume() throws Exception {
    var service = newService();
    String id = service.resource("production");
    Snapshot snap = snapshot(id);
    String op = world.volumes.operations().requestRestore(service.id(), snap.id());
    world.volumes.attachments().holdForOperation(id, op); // as the running restore does
    MiosaException e =
        catchThrowableOfType(
            MiosaException.class, () -> world.volumes.attachments().attach(id, "vm-1"));
    assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_ATTACHED);
    assertThat(e.getMessage()).contains("operation " + op);
    world.run(op); // the same operation renews its own hold, restores, and lets go
    assertThat(world.volumes.attachments().attach(id, "vm-1").created()).isTrue();
  }

  @Test
  void aRestoreThatFindsTheVolumeAttachedFailsForGoodWithoutTouchingIt() throws Exception {
    var service = newService();
    String id = service.resource("production");
    Snapshot snap = snapshot(id);
    String op = world.volumes.operations().requestRestore(service.id(), snap.id());
    world.volumes.attachments().attach(id, "vm-1"); // attached after the request was accepted
    Debugfs.write(world.image(id), "new.txt", "kept");
    assertThatThrownBy(() -> world.run(op))
        .isInstanceOfSatisfying(
            ProvisioningException.class,
            e -> {
              assertThat(e.code()).isEqualTo("VOLUME_ATTACHED");
              assertThat(e.retryable()).isFalse();
            });
    assertThat(Debugfs.read(world.image(id), "new.txt")).contains("kept");
  }

  @Test
  void restoringIntoANewVolumeGivesACopyWithItsOwnIdentity() throws Exception {
    var source = newService();
    String id = source.resource("production");
    Debugfs.write(world.image(id), "seed.txt", "from the snapshot");
    Snapshot snap = snapshot(id);
    Debugfs.write(world.image(id), "later.txt", "not in the snapshot");

    var restored = world.createService("restored", Map.of("fromSnapshot", snap.id(), "sizeGiB", 2));
    for (String env : world.environments.keySet()) {
      Path image = world.image(restored.resource(env));
      assertThat(Debugfs.read(image, "seed.txt")).contains("from the snapshot");
      assertThat(Debugfs.read(image, "later.txt")).isEmpty();
      assertThat(images.inspect(image).sizeBytes()).isEqualTo(2 * VolumeImages.GIB);
      assertThat(images.inspect(image).uuid()).isNotEqualTo(images.inspect(world.image(id)).uuid());
      assertThat(images.allocatedBytes(image)).isLessThan(VolumeImages.GIB / 50);
    }
    assertThat(world.resources.find(restored.resource("production")).orElseThrow().attributes())
        .containsEntry(VolumeProvider.ATTR_SEEDED_FROM, snap.id());

    // The snapshot's own size is the default; a smaller one is refused.
    assertThat(world.volumes.provider().validateConfig(Map.of("fromSnapshot", snap.id())))
        .containsEntry("sizeGiB", 1);
  }

  @Test
  void aCopyThatKeepsSeeingWritesIsRetriedAndThenGivesUp() throws Exception {
    AtomicInteger copies = new AtomicInteger();
    // A copier during which "an instance" writes to the source every time.
    VolumeImages busy =
        new VolumeImages(
            Duration.ofMinutes(1),
            (from, to) -> {
              copies.incrementAndGet();
              try {
                new ProcessBuilder("cp", "--sparse=always", from.toString(), to.toString())
                    .start()
                    .waitFor();
              } catch (InterruptedException ie) {
                throw new java.io.InterruptedIOException();
              }
              try (RandomAccessFile f = new RandomAccessFile(from.toFile(), "rw")) {
                f.seek(VolumeImages.GIB / 2);
                f.write(new byte[] {1});
              }
            });
    Path dir = Files.createTempDirectory(world.root, "busy");
    Path image = dir.resolve("volume.img");
    images.create(image, 1);
    ImageException e =
        catchThrowableOfType(
            ImageException.class, () -> busy.pointInTimeCopy(image, dir.resolve("copy.img"), 3));
    assertThat(e.retryable()).isTrue();
    assertThat(e.getMessage()).contains("written to during each of 3");
    assertThat(copies.get()).isEqualTo(3);
    assertThat(dir.resolve("copy.img")).doesNotExist();
    assertThat(dir.resolve("copy.img.new")).doesNotExist();

    // When writes stop, the next attempt is kept.
    images.pointInTimeCopy(image, dir.resolve("copy.img"), 3);
    assertThat(dir.resolve("copy.img")).exists();
  }

  private static int unfinishedOperations() {
    return world.operations.unfinished().size();
  }
}
