package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The {@code volume_attachments} table: reading live attachments, creating one, extending and
 * ending leases. Lease times come from the database clock ({@code clock_timestamp()}); callers
 * ({@link VolumeAttachments}, {@link VolumeDeletionGuard}) lock the volume's row first.
 */
final class AttachmentRows {

  private static final String ROW =
      "a.id, a.resource_id, a.holder_kind, a.holder, a.fencing_token, a.attached_at, a.lease_expires_at,"
          + " a.end_reason, (a.lease_expires_at > clock_timestamp()) AS valid";

  private final JdbcClient jdbc;

  AttachmentRows(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** One attachment; {@code valid} says whether its lease had not expired when it was read. */
  record Row(
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

    /** The holder as shown to callers, on volume {@code v}. */
    Holder holderOn(Volume v) {
      return new Holder(kind, holder, v.environmentName(), leaseExpiresAt);
    }

    /** {@code "<kind> <holder>"}. */
    String describe() {
      return kind + " " + holder;
    }
  }

  /** Creates an attachment with a lease of {@code lease} from now. */
  Row insert(String resourceId, String kind, String holder, long token, Duration lease) {
    return jdbc.sql(
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
  }

  /** Ends an expired attachment unless its holder renewed it meanwhile (then returns false). */
  boolean endExpired(Row expired) {
    return jdbc.sql(
                """
                UPDATE volume_attachments SET ended_at = clock_timestamp(), end_reason = 'expired'
                WHERE id = :id AND ended_at IS NULL AND lease_expires_at <= clock_timestamp()
                """)
            .param("id", expired.id())
            .update()
        == 1;
  }

  /** Extends a live, unexpired attachment's lease to {@code lease} from now; empty otherwise. */
  Optional<Row> extend(Row row, Duration lease) {
    return jdbc.sql(
            "UPDATE volume_attachments AS a SET lease_expires_at = clock_timestamp() + make_interval(secs => :lease)"
                + " WHERE a.id = :id AND a.ended_at IS NULL AND a.lease_expires_at > clock_timestamp()"
                + " RETURNING "
                + ROW)
        .param("id", row.id())
        .param("lease", seconds(lease))
        .query(Row::map)
        .optional();
  }

  /** Ends an attachment unless it has ended already; returns whether it did. */
  boolean end(String id, String reason) {
    return jdbc.sql(
                "UPDATE volume_attachments SET ended_at = clock_timestamp(), end_reason = :reason"
                    + " WHERE id = :id AND ended_at IS NULL")
            .param("id", id)
            .param("reason", reason)
            .update()
        > 0;
  }

  /** Ends an operation's hold on a volume; a no-op when it holds nothing. */
  void release(String resourceId, String operationId) {
    jdbc.sql(
            """
            UPDATE volume_attachments SET ended_at = clock_timestamp(), end_reason = 'released'
            WHERE resource_id = :r AND holder_kind = 'operation' AND holder = :h AND ended_at IS NULL
            """)
        .param("r", resourceId)
        .param("h", operationId)
        .update();
  }

  /** Ends every live attachment of a volume. */
  void endAll(String resourceId, String reason) {
    jdbc.sql(
            "UPDATE volume_attachments SET ended_at = clock_timestamp(), end_reason = :reason WHERE resource_id = :r AND ended_at IS NULL")
        .param("r", resourceId)
        .param("reason", reason)
        .update();
  }

  /** The live (not ended) attachment of a volume, expired or not. */
  Optional<Row> liveOf(String resourceId) {
    return jdbc.sql(
            "SELECT "
                + ROW
                + " FROM volume_attachments a WHERE a.resource_id = :r AND a.ended_at IS NULL")
        .param("r", resourceId)
        .query(Row::map)
        .optional();
  }

  /**
   * The live attachment a holder has of a data service's volumes.
   *
   * @param anyKind whether an operation's hold counts too (else instances only)
   * @throws MiosaException {@code INVALID_REQUEST} naming {@code environment} when the holder has
   *     volumes of several environments and none was named
   */
  Optional<Row> liveOfHolder(
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

  /** Whether {@code holder} ever held a volume of the data service (environment). */
  boolean everHeld(String serviceId, String environmentId, String holder) {
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

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
