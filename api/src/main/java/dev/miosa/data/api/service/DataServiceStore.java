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
   * @return the new service, or empty when a live one of that type and name exists
   */
  public Optional<DataService> insert(
      String projectId, String type, String name, Map<String, Object> config) {
    return jdbc.sql(
            """
            INSERT INTO data_services (id, project_id, type, name, config)
            VALUES (:id, :project, :type, :name, CAST(:config AS jsonb))
            ON CONFLICT (project_id, type, name) WHERE state <> 'deleted' DO NOTHING
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

  /** Live (active or deleting) services of a project. */
  public List<DataService> live(String projectId) {
    return jdbc.sql(
            "SELECT * FROM data_services WHERE project_id = :p AND state <> 'deleted' ORDER BY created_at, id")
        .param("p", projectId)
        .query(this::map)
        .list();
  }

  /** Active services of a project. */
  public List<DataService> active(String projectId) {
    return live(projectId).stream().filter(s -> "active".equals(s.state())).toList();
  }

  /** A live service by id, within a project. */
  public Optional<DataService> byId(String projectId, String id) {
    return jdbc.sql(
            "SELECT * FROM data_services WHERE project_id = :p AND id = :id AND state <> 'deleted'")
        .param("p", projectId)
        .param("id", id)
        .query(this::map)
        .optional();
  }

  /** A live service by type and name, within a project. */
  public Optional<DataService> byTypeAndName(String projectId, String type, String name) {
    return jdbc.sql(
            "SELECT * FROM data_services WHERE project_id = :p AND type = :t AND name = :n AND state <> 'deleted'")
        .param("p", projectId)
        .param("t", type)
        .param("n", name)
        .query(this::map)
        .optional();
  }

  /** Marks a service as being deleted. */
  public void markDeleting(String id) {
    jdbc.sql("UPDATE data_services SET state = 'deleting' WHERE id = :id AND state = 'active'")
        .param("id", id)
        .update();
  }

  private DataService map(ResultSet rs, int row) throws SQLException {
    return new DataService(
        rs.getString("id"),
        rs.getString("project_id"),
        rs.getString("type"),
        rs.getString("name"),
        json.readValue(rs.getString("config"), MAP),
        rs.getString("state"),
        rs.getTimestamp("created_at").toInstant());
  }
}
