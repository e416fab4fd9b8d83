package dev.miosa.data.api.wiring;

import dev.miosa.data.api.config.MiosaProperties;
import dev.miosa.data.api.service.DeletionGuard;
import dev.miosa.data.provisioner.event.EventPublisher;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.spi.OperationHandler;
import dev.miosa.data.volumes.VolumeProvider;
import dev.miosa.data.volumes.VolumeSettings;
import dev.miosa.data.volumes.Volumes;
import dev.miosa.data.volumes.image.VolumeImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires volumes: images under {@code MIOSA_VOLUMES_ROOT} (or {@code <data dir>/volumes} in the
 * embedded default), attachments, snapshots and resizes in the control-plane database, their
 * operation handlers, and the guard that refuses deleting an attached volume.
 *
 * <p>Volumes need e2fsprogs. Without it and without {@code MIOSA_VOLUMES_ROOT}, the service starts
 * without the {@code volume} type (attaching one answers {@code 400}) and says so in the log; with
 * {@code MIOSA_VOLUMES_ROOT} set it refuses to start, naming what to install.
 */
@Configuration(proxyBeanMethods = false)
@Conditional(VolumeWiring.VolumeToolsPresent.class)
public class VolumeWiring {

  private static final Logger log = LoggerFactory.getLogger(VolumeWiring.class);

  @Bean
  Volumes volumes(
      VolumeProperties props,
      MiosaProperties miosa,
      JdbcClient jdbc,
      PlatformTransactionManager transactions,
      OperationStore operations,
      EventPublisher events) {
    Path root = props.root();
    if (root == null) {
      root = miosa.dataDir().resolve("volumes");
      log.info(
          "embedded volume root: {} (set MIOSA_VOLUMES_ROOT to a volume host's directory)",
          root.toAbsolutePath());
    }
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the volume root " + root, e);
    }
    VolumeSettings settings =
        new VolumeSettings(root, props.mountPath(), props.leaseDuration(), props.operationHold());
    return new Volumes(
        settings,
        jdbc,
        new TransactionTemplate(transactions),
        operations,
        new VolumeImages(),
        events);
  }

  @Bean
  VolumeProvider volumeProvider(Volumes volumes) {
    return volumes.provider();
  }

  @Bean
  OperationHandler volumeSnapshotHandler(Volumes volumes) {
    return volumes.operations().snapshotHandler();
  }

  @Bean
  OperationHandler volumeRestoreHandler(Volumes volumes) {
    return volumes.operations().restoreHandler();
  }

  @Bean
  OperationHandler volumeResizeHandler(Volumes volumes) {
    return volumes.operations().resizeHandler();
  }

  /** Refuses deleting a volume data service (or environment) while an instance holds a volume. */
  @Bean
  DeletionGuard volumeDeletionGuard(Volumes volumes) {
    return (service, environmentId, force) -> {
      if ("volume".equals(service.type())) {
        volumes.attachments().guardDeletion(service.id(), environmentId, force);
      }
    };
  }

  /** Matches when e2fsprogs is installed, or when a volume root is configured (then it must be). */
  static class VolumeToolsPresent implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      List<String> missing = VolumeImages.missingTools();
      if (missing.isEmpty() || context.getEnvironment().containsProperty("miosa.volumes.root")) {
        return true;
      }
      log.warn(
          "volumes are off: {} not found (Debian: apt-get install e2fsprogs)",
          String.join(", ", missing));
      return false;
    }
  }
}
