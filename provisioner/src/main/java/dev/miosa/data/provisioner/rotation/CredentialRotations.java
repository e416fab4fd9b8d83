package dev.miosa.data.provisioner.rotation;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.process.Cancellation;
import dev.miosa.data.provisioner.ProviderRegistry;
import dev.miosa.data.provisioner.event.Event;
import dev.miosa.data.provisioner.event.EventPublisher;
import dev.miosa.data.provisioner.event.EventTypes;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationExecutor;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.resource.ResourceRow;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.resource.StoredResourceContext;
import dev.miosa.data.provisioner.spi.CredentialRotation;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Carries out credential rotations (see DESIGN.md beside this file): the {@value #ROTATE} operation
 * adds the next credential on the backend, promotes it in one control-plane transaction and starts
 * the grace; {@link #sweep} enqueues a {@value #REVOKE} operation once a grace is over, which
 * revokes the previous credential on the backend and then forgets it in one transaction.
 *
 * <p>Every step is idempotent and guarded by the rotation's recorded state, so an operation resumed
 * by another replica after a crash continues where the first stopped. At every point at least the
 * current credential is recorded and valid: the next one is stored before it is added to the
 * backend, the previous one is forgotten only after the backend revoked it.
 */
public final class CredentialRotations implements OperationExecutor {

  /** The operation type that adds and promotes the next credential. */
  public static final String ROTATE = "rotate";

  /** The operation type that revokes the previous credential at the end of the grace. */
  public static final String REVOKE = "rotate.revoke";

  /** Operation parameter: the rotation's id. */
  public static final String PARAM_ROTATION = "rotationId";

  /** Operation parameter: the resource's id. */
  public static final String PARAM_RESOURCE = "resourceId";

  private static final Logger log = LoggerFactory.getLogger(CredentialRotations.class);

  private final ProviderRegistry registry;
  private final ResourceStore resources;
  private final RotationStore rotations;
  private final OperationStore operations;
  private final SecretCipher cipher;
  private final TransactionOperations tx;
  private final EventPublisher events;
  private final Consumer<String> onEnvironmentChanged;
  private final int maxAttempts;

  /**
   * @param registry providers by type
   * @param resources the resource store
   * @param rotations the rotation store
   * @param operations the operation queue (the sweeper enqueues revokes)
   * @param cipher the at-rest cipher (secrets are re-encrypted under their new names)
   * @param tx runs a block in one control-plane transaction
   * @param events told of {@code credentials.rotated} and {@code credentials.revoked}, inside the
   *     transaction of the change
   * @param onEnvironmentChanged told the id of every environment whose variables changed (after
   *     commit)
   * @param maxAttempts attempts of an enqueued revoke
   */
  public CredentialRotations(
      ProviderRegistry registry,
      ResourceStore resources,
      RotationStore rotations,
      OperationStore operations,
      SecretCipher cipher,
      TransactionOperations tx,
      EventPublisher events,
      Consumer<String> onEnvironmentChanged,
      int maxAttempts) {
    this.registry = registry;
    this.resources = resources;
    this.rotations = rotations;
    this.operations = operations;
    this.cipher = cipher;
    this.tx = tx;
    this.events = events;
    this.onEnvironmentChanged = onEnvironmentChanged;
    this.maxAttempts = maxAttempts;
  }

  /** Whether this executor runs operations of that type. */
  public static boolean handles(String operationType) {
    return ROTATE.equals(operationType) || REVOKE.equals(operationType);
  }

  @Override
  public void execute(Operation op) {
    Rotation rotation =
        rotations
            .find(String.valueOf(op.params().get(PARAM_ROTATION)))
            .orElseThrow(
                () ->
                    new ProvisioningException(
                        "ROTATION_NOT_FOUND", "the rotation is not recorded", false, null));
    if (REVOKE.equals(op.type())) {
      revoke(rotation, op.id());
    } else {
      rotate(rotation, op.id());
    }
  }

  private void rotate(Rotation rotation, String operationId) {
    if (Rotation.REQUESTED.equals(rotation.state())) {
      // At most two generations: a previous credential still in its grace is revoked first (a new
      // rotation ends the grace of the one before it).
      for (Rotation older : rotations.holdingPrevious(rotation.resourceId())) {
        revoke(older, operationId);
      }
      ResourceRow row = row(rotation);
      CredentialRotation provider = rotatingProvider(row);
      Cancellation.current().checkpoint();
      Map<String, String> next =
          provider.addNextCredentials(
              new StoredResourceContext(row, resources, cipher, operationId));
      Cancellation.current().checkpoint(); // a stopped attempt writes no step
      promote(rotation, row, next, operationId);
      rotation = rotations.find(rotation.id()).orElseThrow();
    }
    if (rotation.graceSeconds() == 0 && rotation.holdsPrevious()) {
      revoke(rotation, operationId);
    }
  }

  /** next.X -> X, X -> previous.X for attributes and secrets; the grace starts; one transaction. */
  private void promote(
      Rotation rotation, ResourceRow row, Map<String, String> nextAttributes, String operationId) {
    tx.executeWithoutResult(
        status -> {
          Optional<Rotation> locked = rotations.lock(rotation.id());
          if (locked.isEmpty() || !Rotation.REQUESTED.equals(locked.get().state())) {
            return; // promoted by an earlier attempt
          }
          RotationStore.Credentials stored =
              rotations
                  .lockCredentials(row.id())
                  .orElseThrow(
                      () ->
                          new ProvisioningException(
                              "RESOURCE_NOT_FOUND", "the resource is gone", false, null));
          Map<String, String> attributes = new LinkedHashMap<>(stored.attributes());
          nextAttributes.forEach(
              (k, v) -> attributes.put(k.startsWith(CredentialRotation.NEXT) ? k : next(k), v));
          if (!Generations.hasNext(stored.secrets()) && !Generations.hasNext(attributes)) {
            throw new ProvisioningException(
                "NOTHING_TO_PROMOTE", "the provider added no next credential", false, null);
          }
          Map<String, String> promotedAttributes =
              Generations.promote(attributes, (a, b) -> v -> v);
          Map<String, String> promotedSecrets =
              Generations.promote(
                  stored.secrets(),
                  (from, to) ->
                      v ->
                          cipher.encrypt(
                              cipher.decrypt(v, row.id() + "/" + from), row.id() + "/" + to));
          rotations.writeCredentials(
              row.id(), new RotationStore.Credentials(promotedAttributes, promotedSecrets));
          Instant graceEndsAt = rotations.markPromoted(rotation.id(), rotation.graceSeconds());
          events.publish(
              event(EventTypes.CREDENTIALS_ROTATED, rotation, row, operationId, graceEndsAt));
        });
    log.info(
        "credentials of resource {} ({} {}) rotated; previous valid for {} s",
        row.id(),
        row.serviceType(),
        row.environmentName(),
        rotation.graceSeconds());
    onEnvironmentChanged.accept(row.environmentId());
  }

  /** Revokes the previous credential of a rotation on the backend, then forgets it. */
  private void revoke(Rotation rotation, String operationId) {
    if (!rotation.holdsPrevious()) {
      return;
    }
    ResourceRow row = row(rotation);
    CredentialRotation provider = rotatingProvider(row);
    Cancellation.current().checkpoint();
    provider.revokePreviousCredentials(
        new StoredResourceContext(row, resources, cipher, operationId));
    Cancellation.current().checkpoint();
    tx.executeWithoutResult(
        status -> {
          Optional<Rotation> locked = rotations.lock(rotation.id());
          if (locked.isEmpty() || !locked.get().holdsPrevious()) {
            return;
          }
          rotations
              .lockCredentials(row.id())
              .ifPresent(
                  c ->
                      rotations.writeCredentials(
                          row.id(),
                          new RotationStore.Credentials(
                              Generations.dropPrevious(c.attributes()),
                              Generations.dropPrevious(c.secrets()))));
          rotations.markRevoked(rotation.id());
          events.publish(
              event(
                  EventTypes.CREDENTIALS_REVOKED,
                  rotation,
                  row,
                  operationId,
                  rotation.graceEndsAt()));
        });
    log.info(
        "previous credentials of resource {} ({} {}) revoked",
        row.id(),
        row.serviceType(),
        row.environmentName());
    onEnvironmentChanged.accept(row.environmentId());
  }

  /**
   * Enqueues a revoke operation for every rotation whose grace is over, in one transaction per
   * batch; rows another replica is handling are skipped ({@code SKIP LOCKED}), and a row leaves the
   * {@code grace} state in the transaction that enqueues its revoke, so each is enqueued once.
   *
   * @return how many revokes were enqueued
   */
  public int sweep() {
    Integer n =
        tx.execute(
            status -> {
              List<Rotation> due = rotations.lockDue(100);
              for (Rotation r : due) {
                String op =
                    operations.enqueue(
                        REVOKE,
                        r.projectId(),
                        r.serviceId(),
                        r.environmentId(),
                        Map.of(PARAM_ROTATION, r.id(), PARAM_RESOURCE, r.resourceId()),
                        maxAttempts);
                rotations.markRevoking(r.id(), op);
              }
              return due.size();
            });
    return n == null ? 0 : n;
  }

  private ResourceRow row(Rotation rotation) {
    return resources
        .find(rotation.resourceId())
        .orElseThrow(
            () ->
                new ProvisioningException(
                    "RESOURCE_NOT_FOUND", "the resource is gone", false, null));
  }

  private CredentialRotation rotatingProvider(ResourceRow row) {
    return registry
        .provider(row.serviceType())
        .filter(CredentialRotation.class::isInstance)
        .map(CredentialRotation.class::cast)
        .orElseThrow(
            () ->
                new ProvisioningException(
                    "NO_PROVIDER",
                    "no provider rotating " + row.serviceType() + " credentials on this replica",
                    true,
                    null));
  }

  private static String next(String name) {
    return CredentialRotation.NEXT + name;
  }

  private static Event event(
      String type, Rotation rotation, ResourceRow row, String operationId, Instant graceEndsAt) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("projectId", row.projectId());
    data.put("project", row.projectSlug());
    data.put("serviceId", row.serviceId());
    data.put("serviceType", row.serviceType());
    data.put("serviceName", row.serviceName());
    data.put("environment", row.environmentName());
    data.put("rotationId", rotation.id());
    data.put("operationId", operationId);
    if (graceEndsAt != null) {
      data.put("graceEndsAt", graceEndsAt.toString());
    }
    return new Event(type, row.projectId(), data);
  }
}
