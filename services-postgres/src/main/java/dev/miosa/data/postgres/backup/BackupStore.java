package dev.miosa.data.postgres.backup;

import dev.miosa.data.provisioner.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Backups in the control-plane store (table {@code postgres_backups}, migration V11). */
final class BackupStore {

  private final JdbcClient jdbc;

  BackupStore(DataSource controlPlane) {
    this.jdbc = JdbcClient.create(controlPlane);
  }

  /** The source of a new backup. */
  record Source(
      String projectId,
      String serviceId,
      String resourceId,
      String environmentId,
      String environmentName) {}

  /**
   * Inserts a pending backup.
   *
   * @param scheduledAt the due time of a scheduled backup, or null for a manual one
   * @return its id, or empty when that due time already has its backup
   */
  Optional<String> insert(Source src, String kind, Instant scheduledAt) {
    String id = Ids.newId("bkp");
    String key =
        "postgres/"
            + src.projectId()
            + "/"
            + src.serviceId()
            + "/"
            + src.resourceId()
            + "/"
            + id
            + ".dump";
    return jdbc.sql(
            """
            INSERT INTO postgres_backups (id, project_id, service_id, resource_id, environment_id, environment_name,
                                          kind, scheduled_at, object_key)
            VALUES (:id, :project, :service, :resource, :env, :envName, :kind, :scheduledAt, :key)
            ON CONFLICT (resource_id, scheduled_at) WHERE scheduled_at IS NOT NULL DO NOTHING
            RETURNING id
            """)
        .param("id", id)
        .param("project", src.projectId())
        .param("service", src.serviceId())
        .param("resource", src.resourceId())
        .param("env", src.environmentId())
        .param("envName", src.environmentName())
        .param("kind", kind)
        .param("scheduledAt", scheduledAt == null ? null : Timestamp.from(scheduledAt))
        .param("key", key)
        .query(String.class)
        .optional();
  }

  void setOperation(String id, String operationId) {
    jdbc.sql("UPDATE postgres_backups SET operation_id = :op WHERE id = :id")
        .param("id", id)
        .param("op", operationId)
        .update();
  }

  Optional<Backup> find(String id) {
    return jdbc.sql("SELECT * FROM postgres_backups WHERE id = :id")
        .param("id", id)
        .query(BackupStore::map)
        .optional();
  }

  /** Backups of a data service (optionally of one environment by name), newest first. */
  List<Backup> list(String serviceId, String environmentNameOrNull) {
    return jdbc.sql(
            """
            SELECT * FROM postgres_backups WHERE service_id = :service
              AND (CAST(:env AS text) IS NULL OR environment_name = :env)
            ORDER BY created_at DESC, id
            """)
        .param("service", serviceId)
        .param("env", environmentNameOrNull)
        .query(BackupStore::map)
        .list();
  }

  /** Whether a project has backups of a data service (also of one deleted since). */
  boolean anyOfService(String projectId, String serviceId) {
    return jdbc.sql(
            "SELECT 1 FROM postgres_backups WHERE project_id = :p AND service_id = :s LIMIT 1")
        .param("p", projectId)
        .param("s", serviceId)
        .query(Integer.class)
        .optional()
        .isPresent();
  }

  void markRunning(String id, String operationId) {
    jdbc.sql(
            """
            UPDATE postgres_backups SET state = 'running', operation_id = :op, started_at = now(), error = NULL
            WHERE id = :id
            """)
        .param("id", id)
        .param("op", operationId)
        .update();
  }

  void markSucceeded(String id, long size, String sha256) {
    jdbc.sql(
            """
            UPDATE postgres_backups SET state = 'succeeded', size_bytes = :size, sha256 = :sha, error = NULL,
                   finished_at = now()
            WHERE id = :id
            """)
        .param("id", id)
        .param("size", size)
        .param("sha", sha256)
        .update();
  }

  void markFailed(String id, String error) {
    jdbc.sql(
            "UPDATE postgres_backups SET state = 'failed', error = :error, finished_at = now() WHERE id = :id")
        .param("id", id)
        .param("error", error)
        .update();
  }

  /** Succeeded backups of a resource beyond the newest {@code keep}, oldest last. */
  List<Backup> beyondRetention(String resourceId, int keep) {
    return jdbc.sql(
            """
            SELECT * FROM postgres_backups WHERE resource_id = :r AND state = 'succeeded'
            ORDER BY finished_at DESC, id OFFSET :keep
            """)
        .param("r", resourceId)
        .param("keep", keep)
        .query(BackupStore::map)
        .list();
  }

  /**
   * Starts the retention window of backups whose resource is gone (deleted, or its row removed with
   * its project).
   *
   * @return how many backups started their window
   */
  int startExpiryOfOrphans(Duration window) {
    return jdbc.sql(
            """
            UPDATE postgres_backups b SET expires_at = now() + make_interval(secs => :secs)
            WHERE b.expires_at IS NULL
              AND NOT EXISTS (SELECT 1 FROM resources r WHERE r.id = b.resource_id AND r.phase <> 'deleted')
            """)
        .param("secs", (double) window.toSeconds())
        .update();
  }

  /** Backups whose retention window has passed. */
  List<Backup> expired() {
    return jdbc.sql(
            "SELECT * FROM postgres_backups WHERE expires_at < now() ORDER BY expires_at LIMIT 500")
        .query(BackupStore::map)
        .list();
  }

  void delete(String id) {
    jdbc.sql("DELETE FROM postgres_backups WHERE id = :id").param("id", id).update();
  }

  private static Backup map(ResultSet rs, int row) throws SQLException {
    long size = rs.getLong("size_bytes");
    Long sizeOrNull = rs.wasNull() ? null : size;
    return new Backup(
        rs.getString("id"),
        rs.getString("project_id"),
        rs.getString("service_id"),
        rs.getString("resource_id"),
        rs.getString("environment_id"),
        rs.getString("environment_name"),
        rs.getString("kind"),
        instant(rs.getTimestamp("scheduled_at")),
        rs.getString("state"),
        rs.getString("operation_id"),
        rs.getString("object_key"),
        sizeOrNull,
        rs.getString("sha256"),
        rs.getString("error"),
        instant(rs.getTimestamp("created_at")),
        instant(rs.getTimestamp("started_at")),
        instant(rs.getTimestamp("finished_at")),
        instant(rs.getTimestamp("expires_at")));
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
