package dev.miosa.data.api.rotation;

import dev.miosa.data.api.config.MiosaProperties;
import dev.miosa.data.api.runtime.VariablesCache;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.provisioner.Periodic;
import dev.miosa.data.provisioner.ProviderRegistry;
import dev.miosa.data.provisioner.event.EventPublisher;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.rotation.CredentialRotations;
import dev.miosa.data.provisioner.rotation.RotationStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/** Wires credential rotation: its store, its executor and the sweeper that starts revokes. */
@Configuration(proxyBeanMethods = false)
public class RotationWiring {

  @Bean
  RotationStore rotationStore(JdbcClient jdbc, JsonMapper json) {
    return new RotationStore(jdbc, json);
  }

  @Bean
  CredentialRotations credentialRotations(
      ProviderRegistry registry,
      ResourceStore resources,
      RotationStore rotations,
      OperationStore operations,
      SecretCipher cipher,
      PlatformTransactionManager transactions,
      EventPublisher events,
      VariablesCache cache,
      MiosaProperties props,
      MeterRegistry meters) {
    // miosa.rotations.pending_revoke: rotations whose previous credential still works.
    Gauge.builder("miosa.rotations.pending_revoke", rotations, RotationStore::pendingRevocations)
        .description("credential rotations whose previous credential is not revoked yet")
        .register(meters);
    return new CredentialRotations(
        registry,
        resources,
        rotations,
        operations,
        cipher,
        new TransactionTemplate(transactions),
        events,
        cache::invalidate,
        props.worker().maxAttempts());
  }

  @Bean(destroyMethod = "close")
  RevokeSweeper revokeSweeper(CredentialRotations rotations, RotationProperties props) {
    return new RevokeSweeper(rotations, props);
  }

  /**
   * Enqueues the revoke of every rotation whose grace is over, on every replica, from the
   * application's start until its stop; the row locks of {@link CredentialRotations#sweep} make one
   * replica enqueue each.
   */
  static final class RevokeSweeper implements AutoCloseable {
    private final CredentialRotations rotations;
    private final RotationProperties props;
    private ScheduledExecutorService timer;

    RevokeSweeper(CredentialRotations rotations, RotationProperties props) {
      this.rotations = rotations;
      this.props = props;
    }

    @EventListener(ApplicationReadyEvent.class)
    synchronized void start() {
      if (timer == null) {
        timer =
            Periodic.start(
                "rotation-revoke-sweeper",
                props.sweepInterval(),
                props.sweepInterval(),
                rotations::sweep);
      }
    }

    @Override
    public synchronized void close() {
      if (timer != null) {
        timer.shutdownNow();
      }
    }
  }
}
