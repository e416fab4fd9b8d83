package dev.miosa.data.volumes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.InvalidConfigException;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.volumes.image.VolumeImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Growing volumes with resize2fs, as the durable operation the api queues. */
class VolumeResizeIT extends VolumeWorldTest {

  @Test
  void growingFrom1To2GiBShowsInDumpe2fsKeepsTheFileAndStaysSparse() throws Exception {
    var service = newService();
    String id = service.resource("production");
    Path image = world.image(id);
    Debugfs.write(image, "data.txt", "must survive the resize");
    assertThat(images.inspect(image).sizeBytes()).isEqualTo(VolumeImages.GIB);

    world.run(world.volumes.operations().requestResize(id, 2));

    assertThat(images.inspect(image).sizeBytes()).isEqualTo(2 * VolumeImages.GIB);
    assertThat(images.inspect(image).state()).isEqualTo("clean");
    assertThat(Debugfs.read(image, "data.txt")).contains("must survive the resize");
    assertThat(Files.size(image)).isEqualTo(2 * VolumeImages.GIB);
    assertThat(images.allocatedBytes(image)).isLessThan(Files.size(image) / 50);
    assertThat(world.volumes.store().find(id).orElseThrow().sizeGiB()).isEqualTo(2);
    assertThat(Files.list(image.getParent()).map(p -> p.getFileName().toString()).toList())
        .containsExactlyInAnyOrder("volume.img"); // no undo or temporary file left
    assertThat(world.volumes.attachments().attach(id, "vm-1").sizeGiB()).isEqualTo(2);
  }

  @Test
  void shrinkingAndBadSizesAreRefusedBeforeAnythingIsQueued() throws Exception {
    var service = newService();
    String id = service.resource("production");
    world.run(world.volumes.operations().requestResize(id, 3));
    int queued = world.operations.unfinished().size();
    for (Object bad : List.of(0, -1, 2048, "ten", 2, 2.5)) {
      InvalidConfigException e =
          catchThrowableOfType(
              InvalidConfigException.class,
              () -> world.volumes.operations().requestResize(id, bad));
      assertThat(e).as(String.valueOf(bad)).isNotNull();
      assertThat(e.field()).isEqualTo("sizeGiB");
    }
    InvalidConfigException shrink =
        catchThrowableOfType(
            InvalidConfigException.class, () -> world.volumes.operations().requestResize(id, 1));
    assertThat(shrink.getMessage()).contains("only grow").contains("3 GiB");
    assertThat(world.operations.unfinished()).hasSize(queued);
    assertThat(images.inspect(world.image(id)).sizeBytes()).isEqualTo(3 * VolumeImages.GIB);
  }

  @Test
  void resizingAnAttachedVolumeIsRefused() {
    var service = newService();
    String id = service.resource("production");
    world.volumes.attachments().attach(id, "vm-1");
    MiosaException e =
        catchThrowableOfType(
            MiosaException.class, () -> world.volumes.operations().requestResize(id, 2));
    assertThat(e.code()).isEqualTo(ErrorCode.VOLUME_ATTACHED);
    assertThat(e.getMessage()).contains("instance vm-1");
  }

  @Test
  void aResizeInterruptedAfterResize2fsIsRolledBackAndRedone() throws Exception {
    var service = newService();
    String id = service.resource("production");
    Path image = world.image(id);
    Debugfs.write(image, "data.txt", "intact");
    // An earlier attempt that died after resize2fs wrote its undo file: the image is at 2 GiB.
    Path undo = image.resolveSibling("volume.img.resize-undo");
    try (var f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(2 * VolumeImages.GIB);
    }
    Process p =
        new ProcessBuilder("resize2fs", "-z", undo.toString(), image.toString())
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor()).isZero();
    assertThat(undo).exists();

    world.run(world.volumes.operations().requestResize(id, 2));
    assertThat(undo).doesNotExist();
    assertThat(images.inspect(image).sizeBytes()).isEqualTo(2 * VolumeImages.GIB);
    assertThat(Debugfs.read(image, "data.txt")).contains("intact");
  }
}
