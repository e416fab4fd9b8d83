package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.event.EventPublisher;
import dev.miosa.data.provisioner.event.EventTypes;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.volumes.AttachmentRows.Row;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Exclusive attachment of volumes to runtime instances, kept in the control-plane PostgreSQL so
 * that any number of api replicas agree on the one holder.
 *
 * <p>Invariants (DESIGN.md): a volume has at most one live attachment (a partial unique index,
 * whatever the code does); whoever creates or ends an attachment first locks the volume's row, so
 * racing replicas queue and each sees the outcome of the one before; the fencing token only grows;
 * lease times come from the database clock ({@code clock_timestamp()}), never from a replica's; a
 * holder's renewal and another's takeover of an expired lease cannot both succeed.
 */
public final class VolumeAttachments {

  /**
   * What an instance id must look like, for attachments and for the runtime tokens that manage them
   * (one rule, so a token's instance can always attach).
   */
  public static final String INSTANCE_ID_REGEX = "^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$";

  /** {@link #INSTANCE_ID_REGEX} compiled. */
  public static final Pattern INSTANCE_ID = Pattern.compile(INSTANCE_ID_REGEX);

  private final TransactionOperations tx;
  private final VolumeStore store;
  private final VolumeSettings settings;
  private final VolumeLayout layout;
  private final AttachmentRows rows;
  private final VolumeDeletionGuard guard;
  private final EventPublisher events;

  /**
   * @param jdbc a client on the control-plane database
   * @param tx runs work in one transaction (joins the caller's when there is one)
   * @param store the volumes table
   * @param settings lease durations and mount path
   */
  public VolumeAttachments(
      JdbcClient jdbc, TransactionOperations tx, VolumeStore store, VolumeSettings settings) {
    this(jdbc, tx, store, settings, EventPublisher.NONE);
  }

  /**
   * @param jdbc a client on the control-plane database
   * @param tx runs work in one transaction (joins the caller's when there is one)
   * @param store the volumes table
   * @param settings lease durations and mount path
   * @param events told {@code volume.attached} and {@code volume.detached} of instances, in the
   *     transaction of the change
   */
  public VolumeAttachments(
      JdbcClient jdbc,
      TransactionOperations tx,
      VolumeStore store,
      VolumeSettings settings,
      EventPublisher events) {
    this.events = events;
    this.tx = tx;
    this.store = store;
    this.settings = settings;
    this.layout = new VolumeLayout(settings.root());
    this.rows = new AttachmentRows(jdbc);
    this.guard =
        new VolumeDeletionGuard(
            tx,
            store,
            rows,
            (v, r) -> tell(EventTypes.VOLUME_DETACHED, v, toAttachment(v, r, false), "forced"));
  }

  /**
   * Attaches a volume to an instance: a new attachment with the next fencing token when the volume
   * is free or its holder's lease has expired (which ends that attachment), the instance's own
   * attachment with a renewed lease when it holds the volume already.
   *
   * @param resourceId the volume
   * @param instanceId the instance ({@link #INSTANCE_ID})
   * @return the attachment with its mount spec
   * @throws MiosaException {@code VOLUME_ATTACHED} naming the holder when someone else holds it,
   *     {@code VOLUME_NOT_READY} while it is provisioned or deleted, {@code VOLUME_NOT_FOUND},
   *     {@code INVALID_REQUEST} naming {@code instanceId}
   */
  public Attachment attach(String resourceId, String instanceId) {
    requireInstanceId(instanceId);
    return tx.execute(
        s -> {
          Attachment a = acquire(resourceId, Holder.INSTANCE, instanceId, settings.leaseDuration());
          if (a.created()) {
            store.find(resourceId).ifPresent(v -> tell(EventTypes.VOLUME_ATTACHED, v, a, null));
          }
          return a;
        });
  }

  private void tell(String type, Volume v, Attachment a, String reason) {
    VolumeEvents.tell(events, type, v, a, reason);
  }

  /**
   * Holds a volume for a resize or restore so that no instance can attach meanwhile. Called again
   * by the same operation (a retry), it renews its own hold.
   *
   * @param resourceId the volume
   * @param operationId the operation
   * @return the hold
   * @throws MiosaException {@code VOLUME_ATTACHED} when an instance holds it
   */
  public Attachment holdForOperation(String resourceId, String operationId) {
    return tx.execute(
        s -> acquire(resourceId, Holder.OPERATION, operationId, settings.operationHold()));
  }

  /** Ends an operation's hold; a no-op when it holds nothing. */
  public void release(String resourceId, String operationId) {
    rows.release(resourceId, operationId);
  }

  private Attachment acquire(String resourceId, String kind, String holder, Duration lease) {
    Volume volume =
        store
            .lock(resourceId)
            .orElseThrow(
                () ->
                    store.resourceExists(resourceId)
                        ? new MiosaException(
                            ErrorCode.VOLUME_NOT_READY, "the volume is still being provisioned")
                        : new MiosaException(ErrorCode.VOLUME_NOT_FOUND, "no such volume"));
    if (!volume.usable()) {
      throw new MiosaException(
          ErrorCode.VOLUME_NOT_READY,
          "the volume of "
              + volume.environmentName()
              + " is being provisioned or deleted; it cannot be attached now");
    }
    Optional<Row> live = liveOf(resourceId);
    if (live.isPresent()) {
      Row current = live.get();
      if (current.valid() && current.kind().equals(kind) && current.holder().equals(holder)) {
        return extend(volume, current, lease)
            .orElseThrow(
                () -> new IllegalStateException("a locked, valid attachment could not be renewed"));
      }
      if (current.valid() || !endExpired(current)) {
        Row holderNow = liveOf(resourceId).orElse(current);
        throw Holder.refusal(
            ErrorCode.VOLUME_ATTACHED,
            "the volume of "
                + volume.environmentName()
                + " is held by "
                + describe(holderNow)
                + " until "
                + holderNow.leaseExpiresAt()
                + " unless it renews its lease",
            List.of(holderOf(volume, holderNow)));
      }
    }
    long token = store.nextToken(resourceId);
    Row created = rows.insert(resourceId, kind, holder, token, lease);
    return toAttachment(volume, created, true);
  }

  private boolean endExpired(Row expired) {
    return rows.endExpired(expired);
  }

  private Optional<Attachment> extend(Volume volume, Row row, Duration lease) {
    return rows.extend(row, lease).map(r -> toAttachment(volume, r, false));
  }

  /**
   * Renews an instance's lease on the volume of a data service it holds. A lease that has expired
   * is not renewed, even if no one took the volume over: its holder must attach again (and gets a
   * new fencing token).
   *
   * @param serviceId the data service
   * @param environmentId the environment, or null when the instance holds only one of its volumes
   * @param instanceId the instance
   * @param fencingToken the token of the attachment to renew, or null for the current one
   * @return the attachment with its new lease expiry
   * @throws MiosaException {@code LEASE_LOST} (naming the current holder) when the instance no
   *     longer holds it, {@code ATTACHMENT_NOT_FOUND} when it never did, {@code INVALID_REQUEST}
   *     naming {@code environment} when the instance holds several, {@code INVALID_REQUEST} naming
   *     {@code instanceId}
   */
  public Attachment renew(
      String serviceId, String environmentId, String instanceId, Long fencingToken) {
    requireInstanceId(instanceId);
    Row live =
        liveOfHolder(serviceId, environmentId, instanceId, false)
            .orElseThrow(() -> lostOrUnknown(serviceId, environmentId, instanceId));
    Volume volume = store.find(live.resourceId()).orElseThrow();
    if (fencingToken != null && fencingToken != live.token()) {
      throw Holder.refusal(
          ErrorCode.LEASE_LOST,
          "the attachment with fencing token "
              + fencingToken
              + " has ended; instance "
              + instanceId
              + " holds a newer attachment of the volume of "
              + volume.environmentName(),
          List.of(holderOf(volume, live)));
    }
    return extend(volume, live, settings.leaseDuration())
        .orElseThrow(
            () -> {
              MiosaException lost = lostOrUnknown(serviceId, environmentId, instanceId);
              return Holder.refusal(
                  ErrorCode.LEASE_LOST,
                  "the lease of instance "
                      + instanceId
                      + " on the volume of "
                      + volume.environmentName()
                      + " expired at "
                      + live.leaseExpiresAt()
                      + "; attach again",
                  Holder.of(lost));
            });
  }

  /**
   * Ends an attachment. Without {@code force} only the instance's own attachment ends, and only
   * when {@code fencingToken} (if given) is its token: the late detach of an older attachment never
   * ends a newer one. With {@code force} (the operator's forced detach) the holder may be an
   * instance or an operation, and the volume's fencing token is bumped, so that the old holder's
   * token is stale at once.
   *
   * @param serviceId the data service
   * @param environmentId the environment, or null when the holder has only one of its volumes
   * @param holderId the instance id (or, with force, an operation id)
   * @param fencingToken the token of the attachment to end, or null for the current one
   * @param force whether this is an operator's forced detach
   * @return the attachment that ended, or empty when there was nothing (left) to end
   * @throws MiosaException {@code ATTACHMENT_NOT_FOUND} when the holder never held a volume of this
   *     data service, {@code INVALID_REQUEST} naming {@code environment} when the instance holds
   *     several, {@code INVALID_REQUEST} naming {@code instanceId}
   */
  public Optional<Attachment> detach(
      String serviceId, String environmentId, String holderId, Long fencingToken, boolean force) {
    if (!force) {
      requireInstanceId(holderId);
    }
    Optional<Row> live = liveOfHolder(serviceId, environmentId, holderId, force);
    if (live.isEmpty()) {
      if (!everHeld(serviceId, environmentId, holderId)) {
        throw notFound(holderId);
      }
      return Optional.empty();
    }
    Row row = live.get();
    if (fencingToken != null && fencingToken != row.token()) {
      return Optional.empty();
    }
    return tx.execute(
        s -> {
          Volume volume = store.lock(row.resourceId()).orElseThrow();
          if (!rows.end(row.id(), force ? "forced" : "detached")) {
            return Optional.<Attachment>empty();
          }
          if (force) {
            store.nextToken(row.resourceId());
          }
          Attachment gone = toAttachment(volume, row, false);
          tell(EventTypes.VOLUME_DETACHED, volume, gone, force ? "forced" : "detached");
          return Optional.of(gone);
        });
  }

  /**
   * Refuses to let a data service (or one environment of it) be deleted while an instance holds one
   * of its volumes; with {@code force}, detaches them instead. See {@link
   * VolumeDeletionGuard#guardDeletion}.
   */
  public List<Holder> guardDeletion(String serviceId, String environmentId, boolean force) {
    return guard.guardDeletion(serviceId, environmentId, force);
  }

  /** Ends every live attachment of a volume (its image is being deleted). */
  public void endAll(String resourceId, String reason) {
    rows.endAll(resourceId, reason);
  }

  /**
   * The attachment of a volume whose lease has not expired.
   *
   * @param resourceId the volume
   * @return it, or empty when the volume is free (or its holder's lease expired)
   */
  public Optional<Attachment> current(String resourceId) {
    return liveOf(resourceId)
        .filter(Row::valid)
        .flatMap(r -> store.find(resourceId).map(v -> toAttachment(v, r, false)));
  }

  /**
   * The attachments with unexpired leases of a data service's volumes.
   *
   * @param serviceId the data service
   * @param environmentId one environment, or null for all
   */
  public List<Attachment> current(String serviceId, String environmentId) {
    return store.ofService(serviceId, environmentId).stream()
        .flatMap(
            v ->
                liveOf(v.resourceId())
                    .filter(Row::valid)
                    .map(r -> toAttachment(v, r, false))
                    .stream())
        .toList();
  }

  private Optional<Row> liveOf(String resourceId) {
    return rows.liveOf(resourceId);
  }

  private Optional<Row> liveOfHolder(
      String serviceId, String environmentId, String holder, boolean anyKind) {
    return rows.liveOfHolder(serviceId, environmentId, holder, anyKind);
  }

  private boolean everHeld(String serviceId, String environmentId, String holder) {
    return rows.everHeld(serviceId, environmentId, holder);
  }

  private MiosaException lostOrUnknown(String serviceId, String environmentId, String instanceId) {
    if (!everHeld(serviceId, environmentId, instanceId)) {
      return notFound(instanceId);
    }
    List<Holder> now =
        current(serviceId, environmentId).stream().map(Attachment::asHolder).toList();
    return Holder.refusal(
        ErrorCode.LEASE_LOST,
        "instance "
            + instanceId
            + " no longer holds the volume"
            + (now.isEmpty()
                ? ""
                : "; it is held by "
                    + String.join(", ", now.stream().map(Holder::describe).toList())),
        now);
  }

  private static MiosaException notFound(String holder) {
    return new MiosaException(
        ErrorCode.ATTACHMENT_NOT_FOUND, holder + " has never held a volume of this data service");
  }

  private Attachment toAttachment(Volume v, Row r, boolean created) {
    return new Attachment(
        r.id(),
        v.resourceId(),
        v.environmentName(),
        r.kind(),
        r.holder(),
        r.token(),
        r.attachedAt(),
        r.leaseExpiresAt(),
        layout.image(v.resourceId()).toString(),
        "ext4",
        settings.mountPathFor(v.serviceName()),
        v.sizeGiB(),
        created);
  }

  private static Holder holderOf(Volume v, Row r) {
    return r.holderOn(v);
  }

  private static String describe(Row r) {
    return r.describe();
  }

  /**
   * Checks an instance id's shape.
   *
   * @throws MiosaException {@code INVALID_REQUEST} naming {@code instanceId}
   */
  public static void requireInstanceId(String instanceId) {
    if (instanceId == null || !INSTANCE_ID.matcher(instanceId).matches()) {
      throw MiosaException.invalid(
          "instanceId",
          "instanceId must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
  }
}
