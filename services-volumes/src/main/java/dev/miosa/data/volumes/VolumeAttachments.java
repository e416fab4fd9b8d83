package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.event.Event;
import dev.miosa.data.provisioner.event.EventPublisher;
import dev.miosa.data.provisioner.event.EventTypes;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  private static final String ROW =
      "a.id, a.resource_id, a.holder_kind, a.holder, a.fencing_token, a.attached_at, a.lease_expires_at,"
          + " a.end_reason, (a.lease_expires_at > clock_timestamp()) AS valid";

  private final JdbcClient jdbc;
  private final TransactionOperations tx;
  private final VolumeStore store;
  private final VolumeSettings settings;
  private final VolumeLayout layout;
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
    this.jdbc = jdbc;
    this.tx = tx;
    this.store = store;
    this.settings = settings;
    this.layout = new VolumeLayout(settings.root());
  }

  private record Row(
      String id,
      String resourceId,
      String kind,
      String holder,
      long token,
      Instant attachedAt,
      Instant leaseExpiresAt,
      String endReason,
      boolean valid) {

    static Row map(ResultSet rs, int n) throws SQLException {
      return new Row(
          rs.getString("id"),
          rs.getString("resource_id"),
          rs.getString("holder_kind"),
          rs.getString("holder"),
          rs.getLong("fencing_token"),
          instant(rs.getTimestamp("attached_at")),
          instant(rs.getTimestamp("lease_expires_at")),
          rs.getString("end_reason"),
          rs.getBoolean("valid"));
    }
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

  /** Publishes a volume event of an instance's attachment (never of an operation's hold). */
  private void tell(String type, Volume v, Attachment a, String reason) {
    if (!Holder.INSTANCE.equals(a.holderKind())) {
      return;
    }
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("projectId", v.projectId());
    data.put("serviceId", v.serviceId());
    data.put("serviceName", v.serviceName());
    data.put("resourceId", v.resourceId());
    data.put("environmentId", v.environmentId());
    data.put("environment", v.environmentName());
    data.put("instanceId", a.holder());
    data.put("attachmentId", a.id());
    data.put("fencingToken", a.fencingToken());
    if (reason != null) {
      data.put("reason", reason);
    }
    events.publish(new Event(type, v.projectId(), data));
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
    jdbc.sql(
            """
            UPDATE volume_attachments SET ended_at = clock_timestamp(), end_reason = 'released'
            WHERE resource_id = :r AND holder_kind = 'operation' AND holder = :h AND ended_at IS NULL
            """)
        .param("r", resourceId)
        .param("h", operationId)
        .update();
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
    Row created =
        jdbc.sql(
                "INSERT INTO volume_attachments AS a (id, resource_id, holder_kind, holder, fencing_token, lease_expires_at)"
                    + " VALUES (:id, :r, :kind, :holder, :token, clock_timestamp() + make_interval(secs => :lease))"
                    + " RETURNING "
                    + ROW)
            .param("id", Ids.newId("att"))
            .param("r", resourceId)
            .param("kind", kind)
            .param("holder", holder)
            .param("token", token)
            .param("lease", seconds(lease))
            .query(Row::map)
            .single();
    return toAttachment(volume, created, true);
  }

  /** Ends an expired attachment unless its holder renewed it meanwhile (then returns false). */
  private boolean endExpired(Row expired) {
    return jdbc.sql(
                """
                UPDATE volume_attachments SET ended_at = clock_timestamp(), end_reason = 'expired'
                WHERE id = :id AND ended_at IS NULL AND lease_expires_at <= clock_timestamp()
                """)
            .param("id", expired.id())
            .update()
        == 1;
  }

  private Optional<Attachment> extend(Volume volume, Row row, Duration lease) {
    return jdbc.sql(
            "UPDATE volume_attachments AS a SET lease_expires_at = clock_timestamp() + make_interval(secs => :lease)"
                + " WHERE a.id = :id AND a.ended_at IS NULL AND a.lease_expires_at > clock_timestamp()"
                + " RETURNING "
                + ROW)
        .param("id", row.id())
        .param("lease", seconds(lease))
        .query(Row::map)
        .optional()
        .map(r -> toAttachment(volume, r, false));
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
          int ended =
              jdbc.sql(
                      "UPDATE volume_attachments SET ended_at = clock_timestamp(), end_reason = :reason"
                          + " WHERE id = :id AND ended_at IS NULL")
                  .param("id", row.id())
                  .param("reason", force ? "forced" : "detached")
                  .update();
          if (ended == 0) {
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
   * of its volumes; with {@code force}, detaches those instances (bumping the fencing tokens)
   * instead. Call it in the transaction that marks the resources for removal: it locks the volumes,
   * so no attachment can begin between this check and that commit (attaching a volume whose
   * resource is marked absent is refused).
   *
   * @param serviceId the data service
   * @param environmentId one environment, or null for all
   * @param force detach the holders instead of refusing
   * @return the holders that were detached
   * @throws MiosaException {@code VOLUME_ATTACHED} naming the holders, without force
   */
  public List<Holder> guardDeletion(String serviceId, String environmentId, boolean force) {
    return tx.execute(
        s -> {
          List<Volume> volumes = new ArrayList<>(store.ofService(serviceId, environmentId));
          volumes.sort(Comparator.comparing(Volume::resourceId)); // one lock order: no deadlocks
          List<Holder> holders = new ArrayList<>();
          List<Row> toEnd = new ArrayList<>();
          for (Volume v : volumes) {
            store.lock(v.resourceId());
            Optional<Row> live = liveOf(v.resourceId());
            if (live.isPresent() && Holder.INSTANCE.equals(live.get().kind())) {
              if (live.get().valid()) {
                holders.add(holderOf(v, live.get()));
              }
              toEnd.add(live.get());
            }
          }
          if (!holders.isEmpty() && !force) {
            throw Holder.refusal(
                ErrorCode.VOLUME_ATTACHED,
                "the volume is attached to "
                    + String.join(
                        ", ",
                        holders.stream()
                            .map(h -> h.describe() + " (" + h.environment() + ")")
                            .toList())
                    + "; detach it first, or force the detach",
                holders);
          }
          for (Row r : toEnd) {
            jdbc.sql(
                    "UPDATE volume_attachments SET ended_at = clock_timestamp(), end_reason = :reason WHERE id = :id AND ended_at IS NULL")
                .param("id", r.id())
                .param("reason", r.valid() ? "forced" : "expired")
                .update();
            if (r.valid()) {
              store.nextToken(r.resourceId());
              Volume v =
                  volumes.stream()
                      .filter(x -> x.resourceId().equals(r.resourceId()))
                      .findFirst()
                      .orElseThrow();
              tell(EventTypes.VOLUME_DETACHED, v, toAttachment(v, r, false), "forced");
            }
          }
          return holders;
        });
  }

  /** Ends every live attachment of a volume (its image is being deleted). */
  public void endAll(String resourceId, String reason) {
    jdbc.sql(
            "UPDATE volume_attachments SET ended_at = clock_timestamp(), end_reason = :reason WHERE resource_id = :r AND ended_at IS NULL")
        .param("r", resourceId)
        .param("reason", reason)
        .update();
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
    return jdbc.sql(
            "SELECT "
                + ROW
                + " FROM volume_attachments a WHERE a.resource_id = :r AND a.ended_at IS NULL")
        .param("r", resourceId)
        .query(Row::map)
        .optional();
  }

  private Optional<Row> liveOfHolder(
      String serviceId, String environmentId, String holder, boolean anyKind) {
    List<Row> rows =
        jdbc.sql(
                "SELECT "
                    + ROW
                    + " FROM volume_attachments a JOIN resources r ON r.id = a.resource_id"
                    + " WHERE r.service_id = :s AND (CAST(:e AS text) IS NULL OR r.environment_id = :e)"
                    + " AND a.holder = :h AND a.ended_at IS NULL AND (:any OR a.holder_kind = 'instance')")
            .param("s", serviceId)
            .param("e", environmentId)
            .param("h", holder)
            .param("any", anyKind)
            .query(Row::map)
            .list();
    if (rows.size() > 1) {
      throw MiosaException.invalid(
          "environment",
          holder
              + " holds volumes of "
              + rows.size()
              + " environments of this data service; name the environment");
    }
    return rows.stream().findFirst();
  }

  private boolean everHeld(String serviceId, String environmentId, String holder) {
    return jdbc.sql(
            "SELECT 1 FROM volume_attachments a JOIN resources r ON r.id = a.resource_id"
                + " WHERE r.service_id = :s AND (CAST(:e AS text) IS NULL OR r.environment_id = :e) AND a.holder = :h LIMIT 1")
        .param("s", serviceId)
        .param("e", environmentId)
        .param("h", holder)
        .query((rs, n) -> 1)
        .optional()
        .isPresent();
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
    return new Holder(r.kind(), r.holder(), v.environmentName(), r.leaseExpiresAt());
  }

  private static String describe(Row r) {
    return r.kind() + " " + r.holder();
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

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
