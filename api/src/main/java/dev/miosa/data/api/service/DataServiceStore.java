package dev.miosa.data.api.service;

import dev.miosa.data.provisioner.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Data services in the control-plane store. */
@Repository
public class DataServiceStore {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;

  DataServiceStore(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * Inserts an active data service.
   *
   * @return the new service, or empty when an active one of that type and name exists
   */
  public Optional<DataService> insert(
      String projectId, String type, String name, Map<String, Object> config) {
    return jdbc.sql(
            """
            INSERT INTO data_services (id, project_id, type, name, config)
            VALUES (:id, :project, :type, :name, CAST(:config AS jsonb))
            ON CONFLICT (project_id, type, name) WHERE state = 'active' DO NOTHING
            RETURNING *
            """)
        .param("id", Ids.newId("svc"))
        .param("project", projectId)
        .param("type", type)
        .param("name", name)
        .param("config", json.writeValueAsString(config))
        .query(this::map)
        .optional();
  }

  /** Active services of a project, oldest first. */
  public List<DataService> active(String projectId) {
    return jdbc.sql(
            "SELECT * FROM data_services WHERE project_id = :p AND state = 'active' ORDER BY created_at, id")
        .param("p", projectId)
        .query(this::map)
        .list();
  }

  /** Deleted services of a project that are not purged yet (disabled or being purged). */
  public List<DataService> deleted(String projectId) {
    return jdbc.sql(
            "SELECT * FROM data_services WHERE project_id = :p AND state IN ('disabled', 'deleting')"
                + " ORDER BY deleted_at, id")
        .param("p", projectId)
        .query(this::map)
        .list();
  }

  /** An active service by id, within a project. */
  public Optional<DataService> byId(String projectId, String id) {
    return jdbc.sql(
            "SELECT * FROM data_services WHERE project_id = :p AND id = :id AND state = 'active'")
        .param("p", projectId)
        .param("id", id)
        .query(this::map)
        .optional();
  }

  /** A service by id within a project, in any state (deleted and purged ones too). */
  public Optional<DataService> anyById(String projectId, String id) {
    return jdbc.sql("SELECT * FROM data_services WHERE project_id = :p AND id = :id")
        .param("p", projectId)
        .param("id", id)
        .query(this::map)
        .optional();
  }

  /** An active service by type and name, within a project. */
  public Optional<DataService> byTypeAndName(String projectId, String type, String name) {
    return jdbc.sql(
            "SELECT * FROM data_services WHERE project_id = :p AND type = :t AND name = :n AND state = 'active'")
        .param("p", projectId)
        .param("t", type)
        .param("n", name)
        .query(this::map)
        .optional();
  }

  /**
   * Soft-deletes an active service: {@code disabled}, restorable until {@code now() + retention}.
   *
   * @return whether it was active
   */
  public boolean markDisabled(String id, java.time.Duration retention) {
    return SoftDeletion.markDisabled(jdbc, SoftDeletion.Table.DATA_SERVICES, id, retention);
  }

  /**
   * Brings a soft-deleted service back to {@code active}.
   *
   * @return false when it was not disabled
   * @throws org.springframework.dao.DuplicateKeyException when an active one holds its name
   */
  public boolean markActive(String id) {
    return SoftDeletion.markActive(jdbc, SoftDeletion.Table.DATA_SERVICES, id);
  }

  /**
   * Starts purging a soft-deleted service.
   *
   * @return whether it was disabled
   */
  public boolean markDeleting(String id) {
    return jdbc.sql(
                "UPDATE data_services SET state = 'deleting' WHERE id = :id AND state = 'disabled'")
            .param("id", id)
            .update()
        == 1;
  }

  /**
   * Soft-deleted services whose window has closed, locked for this transaction; rows another
   * replica holds are skipped ({@code FOR UPDATE SKIP LOCKED}), so two sweepers never purge one.
   *
   * @param limit at most this many
   */
  public List<DataService> lockPurgeDue(int limit) {
    return jdbc.sql(
            """
            SELECT * FROM data_services WHERE state = 'disabled' AND purge_at <= now()
            ORDER BY purge_at LIMIT :limit FOR UPDATE SKIP LOCKED
            """)
        .param("limit", limit)
        .query(this::map)
        .list();
  }

  /** Locks a project's row for this transaction: changes to its services and names serialize. */
  public void lockProject(String projectId) {
    jdbc.sql("SELECT id FROM projects WHERE id = :id FOR UPDATE")
        .param("id", projectId)
        .query(String.class)
        .list();
  }

  private DataService map(ResultSet rs, int row) throws SQLException {
    return new DataService(
        rs.getString("id"),
        rs.getString("project_id"),
        rs.getString("type"),
        rs.getString("name"),
        json.readValue(rs.getString("config"), MAP),
        rs.getString("state"),
        rs.getTimestamp("created_at").toInstant(),
        instant(rs, "deleted_at"),
        instant(rs, "purge_at"));
  }

  private static java.time.Instant instant(ResultSet rs, String column) throws SQLException {
    java.sql.Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
