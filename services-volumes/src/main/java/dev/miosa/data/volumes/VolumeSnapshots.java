package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.volumes.image.ImageException;
import dev.miosa.data.volumes.image.VolumeImages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Snapshots of volumes: sparse point-in-time copies of the image, recorded in {@code
 * volume_snapshots} and kept under the volume's directory until the volume is deleted.
 */
public final class VolumeSnapshots {

  /** Copy attempts before a snapshot of a busy volume gives up (its operation retries later). */
  static final int COPY_ATTEMPTS = 5;

  private static final String SELECT =
      """
      SELECT sn.id, sn.resource_id, r.service_id, e.name AS environment_name,
             CASE WHEN sn.state = 'pending' AND o.state = 'failed' THEN 'failed' ELSE sn.state END AS state,
             sn.consistency, sn.size_gib, sn.allocated_bytes, sn.operation_id, sn.created_at, sn.completed_at
      FROM volume_snapshots sn
      JOIN resources r ON r.id = sn.resource_id
      JOIN environments e ON e.id = r.environment_id
      LEFT JOIN operations o ON o.id = sn.operation_id
      """;

  private final JdbcClient jdbc;
  private final VolumeStore store;
  private final VolumeAttachments attachments;
  private final VolumeImages images;
  private final VolumeLayout layout;

  /**
   * @param jdbc a client on the control-plane database
   * @param store the volumes table
   * @param attachments who holds volumes
   * @param images image operations
   * @param layout where files live
   */
  public VolumeSnapshots(
      JdbcClient jdbc,
      VolumeStore store,
      VolumeAttachments attachments,
      VolumeImages images,
      VolumeLayout layout) {
    this.jdbc = jdbc;
    this.store = store;
    this.attachments = attachments;
    this.images = images;
    this.layout = layout;
  }

  /**
   * Records a pending snapshot of a volume; {@link #take} makes it.
   *
   * @param resourceId the volume
   * @return the pending snapshot
   * @throws MiosaException {@code VOLUME_NOT_FOUND}
   */
  public Snapshot create(String resourceId) {
    if (store.find(resourceId).isEmpty()) {
      throw new MiosaException(ErrorCode.VOLUME_NOT_FOUND, "no such volume");
    }
    String id = Ids.newId("snp");
    jdbc.sql("INSERT INTO volume_snapshots (id, resource_id) VALUES (:id, :r)")
        .param("id", id)
        .param("r", resourceId)
        .update();
    return find(id).orElseThrow();
  }

  /** Records the operation that takes a snapshot. */
  void setOperation(String snapshotId, String operationId) {
    jdbc.sql("UPDATE volume_snapshots SET operation_id = :op WHERE id = :id")
        .param("id", snapshotId)
        .param("op", operationId)
        .update();
  }

  /**
   * Takes a pending snapshot: a sparse point-in-time copy of the image (see {@link
   * VolumeImages#pointInTimeCopy}), {@code consistent} when no one held the volume from before the
   * copy to after it, else {@code crash-consistent}. Taking a ready snapshot again is a no-op.
   *
   * @param snapshotId the snapshot
   * @return the ready snapshot
   * @throws MiosaException {@code SNAPSHOT_NOT_FOUND}
   */
  public Snapshot take(String snapshotId) {
    Snapshot snap =
        find(snapshotId)
            .filter(s -> !"deleted".equals(s.state()))
            .orElseThrow(() -> notFound(snapshotId));
    if (snap.ready()) {
      return snap;
    }
    String resourceId = snap.resourceId();
    long tokenBefore =
        store.find(resourceId).orElseThrow(() -> notFound(snapshotId)).fencingToken();
    boolean heldBefore = attachments.current(resourceId).isPresent();
    Path target = layout.snapshot(resourceId, snapshotId);
    images.pointInTimeCopy(layout.image(resourceId), target, COPY_ATTEMPTS);
    long tokenAfter = store.find(resourceId).orElseThrow(() -> notFound(snapshotId)).fencingToken();
    boolean heldAfter = attachments.current(resourceId).isPresent();
    boolean consistent = !heldBefore && !heldAfter && tokenBefore == tokenAfter;
    int sizeGiB;
    try {
      sizeGiB = (int) (Files.size(target) / VolumeImages.GIB);
    } catch (IOException e) {
      throw new ImageException("could not read the snapshot's size", true, e);
    }
    jdbc.sql(
            """
            UPDATE volume_snapshots SET state = 'ready', consistency = :c, size_gib = :size,
                   allocated_bytes = :alloc, completed_at = now()
            WHERE id = :id AND state = 'pending'
            """)
        .param("id", snapshotId)
        .param("c", consistent ? "consistent" : "crash-consistent")
        .param("size", sizeGiB)
        .param("alloc", images.allocatedBytes(target))
        .update();
    return find(snapshotId).orElseThrow();
  }

  /** A snapshot by id, in any state. */
  public Optional<Snapshot> find(String snapshotId) {
    return jdbc.sql(SELECT + " WHERE sn.id = :id")
        .param("id", snapshotId)
        .query(VolumeSnapshots::map)
        .optional();
  }

  /**
   * The snapshots of a data service's volumes, oldest first, deleted ones left out.
   *
   * @param serviceId the data service
   * @param environmentId one environment, or null for all
   */
  public List<Snapshot> list(String serviceId, String environmentId) {
    return jdbc.sql(
            SELECT
                + " WHERE r.service_id = :s AND (CAST(:e AS text) IS NULL OR r.environment_id = :e)"
                + " AND sn.state <> 'deleted' ORDER BY sn.created_at, sn.id")
        .param("s", serviceId)
        .param("e", environmentId)
        .query(VolumeSnapshots::map)
        .list();
  }

  /** The image file of a snapshot. */
  public Path file(Snapshot snapshot) {
    return layout.snapshot(snapshot.resourceId(), snapshot.id());
  }

  /**
   * The project a snapshot belongs to.
   *
   * @return the project id, or empty when there is no such snapshot
   */
  Optional<String> projectOf(String snapshotId) {
    return jdbc.sql(
            "SELECT s.project_id FROM volume_snapshots sn JOIN resources r ON r.id = sn.resource_id"
                + " JOIN data_services s ON s.id = r.service_id WHERE sn.id = :id")
        .param("id", snapshotId)
        .query(String.class)
        .optional();
  }

  /** Marks every snapshot of a volume deleted (its files go with the volume's directory). */
  void markDeleted(String resourceId) {
    jdbc.sql(
            "UPDATE volume_snapshots SET state = 'deleted' WHERE resource_id = :r AND state <> 'deleted'")
        .param("r", resourceId)
        .update();
  }

  private static MiosaException notFound(String snapshotId) {
    return new MiosaException(ErrorCode.SNAPSHOT_NOT_FOUND, "no snapshot " + snapshotId);
  }

  private static Snapshot map(ResultSet rs, int n) throws SQLException {
    return new Snapshot(
        rs.getString("id"),
        rs.getString("resource_id"),
        rs.getString("service_id"),
        rs.getString("environment_name"),
        rs.getString("state"),
        rs.getString("consistency"),
        (Integer) rs.getObject("size_gib"),
        (Long) rs.getObject("allocated_bytes"),
        rs.getString("operation_id"),
        instant(rs.getTimestamp("created_at")),
        instant(rs.getTimestamp("completed_at")));
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
