package dev.miosa.data.provisioner;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.process.Cancellation;
import dev.miosa.data.provisioner.event.ServicePhases;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationExecutor;
import dev.miosa.data.provisioner.resource.ResourceRow;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.resource.StoredResourceContext;
import dev.miosa.data.provisioner.spi.OperationHandler;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Carries out operations by reconciling each resource of the operation's data service toward its
 * desired state: resources that should be present are provisioned (a disabled one is enabled
 * first), those that should be disabled are disabled (data and credentials kept, for a soft
 * delete), those that should be absent are deprovisioned, and a data service or environment whose
 * resources are all gone is marked {@code deleted}. Every step is idempotent, so a resumed
 * operation simply runs again; a resource reaches phase {@code disabled} only after its provider
 * disabled it, and leaves it only after its provider enabled it again.
 *
 * <p>Between steps it checks the {@link Cancellation} of the attempt (bound by the worker): an
 * attempt stopped because its lease was lost writes no further phase, error or attributes.
 */
public final class Reconciler implements OperationExecutor {

  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);

  private final ProviderRegistry registry;
  private final ResourceStore resources;
  private final SecretCipher cipher;
  private final JdbcClient jdbc;
  private final Consumer<String> onEnvironmentChanged;
  private final ServicePhases phases;
  private final ExecutorService parallel =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "miosa-provision");
            t.setDaemon(true);
            return t;
          });

  /**
   * @param registry providers by type
   * @param resources the resource store
   * @param cipher the at-rest cipher
   * @param jdbc a client on the control-plane database
   * @param onEnvironmentChanged told the id of every environment whose variables changed
   */
  public Reconciler(
      ProviderRegistry registry,
      ResourceStore resources,
      SecretCipher cipher,
      JdbcClient jdbc,
      Consumer<String> onEnvironmentChanged) {
    this(registry, resources, cipher, jdbc, onEnvironmentChanged, ServicePhases.NONE);
  }

  /**
   * @param registry providers by type
   * @param resources the resource store
   * @param cipher the at-rest cipher
   * @param jdbc a client on the control-plane database
   * @param onEnvironmentChanged told the id of every environment whose variables changed
   * @param phases tells {@code service.phase_changed} with each step that changes a phase
   */
  public Reconciler(
      ProviderRegistry registry,
      ResourceStore resources,
      SecretCipher cipher,
      JdbcClient jdbc,
      Consumer<String> onEnvironmentChanged,
      ServicePhases phases) {
    this.phases = phases;
    this.registry = registry;
    this.resources = resources;
    this.cipher = cipher;
    this.jdbc = jdbc;
    this.onEnvironmentChanged = onEnvironmentChanged;
  }

  @Override
  public void execute(Operation op) {
    switch (op.type()) {
      case Operation.PROVISION -> provisionAll(op);
      case Operation.DEPROVISION -> deprovisionAll(op);
      case Operation.DISABLE -> disableAll(op);
      default -> runHandler(op);
    }
  }

  private void provisionAll(Operation op) {
    phases.change(op.serviceId(), () -> {}); // a new environment: ready -> provisioning
    List<ResourceRow> due = new ArrayList<>();
    for (ResourceRow row : resources.ofService(op.serviceId(), op.environmentId())) {
      if ("present".equals(row.desired()) && !"ready".equals(row.phase())) {
        due.add(row);
      }
    }
    if (due.size() == 1) {
      provisionOne(op, due.get(0));
      return;
    }
    // The resources of one data service (one per environment) are independent: provision them at
    // once, so an attach costs about one environment's time, not the sum (and the provider can
    // share work between them, e.g. one PgBouncer reload). Each still ends ready or failed on its
    // own; the first failure fails the attempt once all have ended.
    Map<String, String> mdc = MDC.getCopyOfContextMap();
    Cancellation token = Cancellation.current();
    List<Future<?>> running = new ArrayList<>();
    for (ResourceRow row : due) {
      running.add(
          parallel.submit(
              () -> {
                if (mdc != null) {
                  MDC.setContextMap(mdc);
                }
                try (Cancellation.Scope bound = Cancellation.bind(token)) {
                  provisionOne(op, row);
                } finally {
                  MDC.clear();
                }
              }));
    }
    RuntimeException first = null;
    for (Future<?> f : running) {
      try {
        f.get();
      } catch (ExecutionException e) {
        RuntimeException cause =
            e.getCause() instanceof RuntimeException re
                ? re
                : new IllegalStateException(e.getCause());
        if (first == null) {
          first = cause;
        } else {
          first.addSuppressed(cause);
        }
      } catch (InterruptedException e) {
        running.forEach(r -> r.cancel(true));
        Thread.currentThread().interrupt();
        throw new ProvisioningException("INTERRUPTED", "provisioning was interrupted", true, e);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void provisionOne(Operation op, ResourceRow row) {
    ServiceProvider provider = providerOf(row);
    var ctx = new StoredResourceContext(row, resources, cipher, op.id());
    Cancellation token = Cancellation.current();
    if ("disabled".equals(row.phase()) || "disabling".equals(row.phase())) {
      // Undeleted: the same credentials work again before the usual (idempotent) provision. Until
      // enable succeeded the resource keeps its phase, so a retry enables it again; "disabling"
      // means a disable may have been cut short half-way, so it is enabled too.
      try {
        token.checkpoint();
        provider.enable(ctx);
        log.info("resource {} ({} {}) enabled", row.id(), row.serviceType(), row.environmentName());
      } catch (RuntimeException e) {
        if (!token.isCancelled()) {
          resources.setPhase(row.id(), row.phase(), publicMessage(e));
        }
        throw e;
      }
    }
    try {
      token.checkpoint();
      ProvisionResult result = provider.provision(ctx);
      token.checkpoint(); // a stopped attempt writes no step: another worker may own it now
      phases.change(row.serviceId(), () -> resources.markReady(row.id(), result.attributes()));
      log.info(
          "resource {} ({} {}) ready: {}",
          row.id(),
          row.serviceType(),
          row.environmentName(),
          result.action());
      onEnvironmentChanged.accept(row.environmentId());
    } catch (RuntimeException e) {
      if (!token.isCancelled()) {
        phases.change(
            row.serviceId(), () -> resources.setPhase(row.id(), "failed", publicMessage(e)));
      }
      throw e;
    }
  }

  private void deprovisionAll(Operation op) {
    Cancellation token = Cancellation.current();
    phases.change(op.serviceId(), () -> {}); // -> deleting
    for (ResourceRow row : resources.ofService(op.serviceId(), op.environmentId())) {
      if (!"absent".equals(row.desired())) {
        continue;
      }
      ServiceProvider provider = providerOf(row);
      token.checkpoint();
      resources.setPhase(row.id(), "deleting", null);
      onEnvironmentChanged.accept(row.environmentId());
      try {
        provider.deprovision(new StoredResourceContext(row, resources, cipher, op.id()));
        token.checkpoint();
        resources.setPhase(row.id(), "deleted", null);
        log.info("resource {} ({} {}) deleted", row.id(), row.serviceType(), row.environmentName());
      } catch (RuntimeException e) {
        if (!token.isCancelled()) {
          resources.setPhase(row.id(), "deleting", publicMessage(e));
        }
        throw e;
      }
      finishEnvironmentIfEmpty(row.environmentId());
    }
    token.checkpoint();
    phases.change(op.serviceId(), () -> finishServiceIfEmpty(op.serviceId()));
  }

  private void disableAll(Operation op) {
    Cancellation token = Cancellation.current();
    for (ResourceRow row : resources.ofService(op.serviceId(), op.environmentId())) {
      if (!"disabled".equals(row.desired()) || "disabled".equals(row.phase())) {
        continue;
      }
      ServiceProvider provider = providerOf(row);
      token.checkpoint();
      // Recorded before the provider acts: a resource left half-disabled by a crash or a failure is
      // known to need enable() if it is undeleted.
      resources.setPhase(row.id(), "disabling", null);
      onEnvironmentChanged.accept(row.environmentId());
      try {
        provider.disable(new StoredResourceContext(row, resources, cipher, op.id()));
        token.checkpoint();
        resources.setPhase(row.id(), "disabled", null);
        log.info(
            "resource {} ({} {}) disabled", row.id(), row.serviceType(), row.environmentName());
      } catch (RuntimeException e) {
        if (!token.isCancelled()) {
          resources.setPhase(row.id(), "disabling", publicMessage(e));
        }
        throw e;
      }
    }
  }

  private void runHandler(Operation op) {
    OperationHandler handler =
        registry
            .handler(op.type())
            .orElseThrow(
                () ->
                    new ProvisioningException(
                        "UNKNOWN_OPERATION", "no handler for " + op.type(), false, null));
    Object resourceId = op.params().get("resourceId");
    ResourceRow row =
        resources
            .find(String.valueOf(resourceId))
            .orElseThrow(
                () ->
                    new ProvisioningException(
                        "RESOURCE_NOT_FOUND", "resource not found", false, null));
    Cancellation.current().checkpoint();
    handler.execute(
        op.id(), new StoredResourceContext(row, resources, cipher, op.id()), op.params());
  }

  private void finishServiceIfEmpty(String serviceId) {
    jdbc.sql(
            """
            UPDATE data_services SET state = 'deleted', deleted_at = coalesce(deleted_at, now())
            WHERE id = :id AND state = 'deleting'
              AND NOT EXISTS (SELECT 1 FROM resources WHERE service_id = :id AND phase <> 'deleted')
            """)
        .param("id", serviceId)
        .update();
  }

  private void finishEnvironmentIfEmpty(String environmentId) {
    jdbc.sql(
            """
            UPDATE environments SET state = 'deleted'
            WHERE id = :id AND state = 'deleting'
              AND NOT EXISTS (SELECT 1 FROM resources WHERE environment_id = :id AND phase <> 'deleted')
            """)
        .param("id", environmentId)
        .update();
  }

  private ServiceProvider providerOf(ResourceRow row) {
    return registry
        .provider(row.serviceType())
        .orElseThrow(
            () ->
                new ProvisioningException(
                    "NO_PROVIDER",
                    "no provider for type " + row.serviceType() + " on this replica",
                    true,
                    null));
  }

  /** The message recorded for users: a provider's own message, never a driver's raw text. */
  static String publicMessage(RuntimeException e) {
    return e instanceof ProvisioningException
        ? e.getMessage()
        : "internal error (" + e.getClass().getSimpleName() + ")";
  }
}
