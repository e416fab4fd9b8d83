package dev.miosa.data.provisioner.resource;

import dev.miosa.data.provisioner.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Reads and writes resources in the control-plane database. */
public final class ResourceStore {

  private static final TypeReference<Map<String, Object>> OBJECT_MAP = new TypeReference<>() {};
  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private static final String SELECT =
      """
      SELECT r.*, s.type AS service_type, s.name AS service_name, s.state AS service_state,
             s.config AS service_config, p.id AS p_id, p.slug AS project_slug,
             e.name AS environment_name
      FROM resources r
      JOIN data_services s ON s.id = r.service_id
      JOIN projects p ON p.id = s.project_id
      JOIN environments e ON e.id = r.environment_id
      """;

  private final JdbcClient jdbc;
  private final JsonMapper json;

  /**
   * @param jdbc a client on the control-plane database
   * @param json mapper for jsonb columns
   */
  public ResourceStore(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * Creates a resource to be provisioned, unless a live one exists for the pair.
   *
   * @return the new resource's id, or empty when one existed
   */
  public Optional<String> createIfAbsent(String serviceId, String environmentId, String backend) {
    String id = Ids.newId("res");
    int n =
        jdbc.sql(
                """
                INSERT INTO resources (id, service_id, environment_id, backend)
                VALUES (:id, :service, :env, :backend)
                ON CONFLICT (service_id, environment_id) WHERE phase <> 'deleted' DO NOTHING
                """)
            .param("id", id)
            .param("service", serviceId)
            .param("env", environmentId)
            .param("backend", backend)
            .update();
    return n == 1 ? Optional.of(id) : Optional.empty();
  }

  /**
   * Picks the backend with the fewest live resources of the type, the first on a tie.
   *
   * @param type data service type
   * @param backends candidate backend ids, at least one
   */
  public String place(String type, List<String> backends) {
    if (backends.size() == 1) {
      return backends.get(0);
    }
    Map<String, Integer> counts = new HashMap<>();
    jdbc.sql(
            """
            SELECT r.backend, count(*) AS n FROM resources r JOIN data_services s ON s.id = r.service_id
            WHERE s.type = :type AND r.phase <> 'deleted' GROUP BY r.backend
            """)
        .param("type", type)
        .query(
            rs -> {
              counts.put(rs.getString("backend"), rs.getInt("n"));
            });
    String best = backends.get(0);
    for (String b : backends) {
      if (counts.getOrDefault(b, 0) < counts.getOrDefault(best, 0)) {
        best = b;
      }
    }
    return best;
  }

  /** Live (not deleted) resources of a data service, optionally of one environment. */
  public List<ResourceRow> ofService(String serviceId, String environmentIdOrNull) {
    return jdbc.sql(
            SELECT
                + " WHERE r.service_id = :service AND r.phase <> 'deleted'"
                + " AND (CAST(:env AS text) IS NULL OR r.environment_id = :env) ORDER BY e.created_at, e.name")
        .param("service", serviceId)
        .param("env", environmentIdOrNull)
        .query(this::map)
        .list();
  }

  /** Live resources of an environment, across its data services. */
  public List<ResourceRow> ofEnvironment(String environmentId) {
    return jdbc.sql(
            SELECT
                + " WHERE r.environment_id = :env AND r.phase <> 'deleted' ORDER BY s.type, s.name")
        .param("env", environmentId)
        .query(this::map)
        .list();
  }

  /** One resource by id, in any phase. */
  public Optional<ResourceRow> find(String id) {
    return jdbc.sql(SELECT + " WHERE r.id = :id").param("id", id).query(this::map).optional();
  }

  /**
   * The resources of some ids, in one query (ids not found are left out).
   *
   * @param ids resource ids
   * @return their rows, in no particular order
   */
  public List<ResourceRow> findAll(java.util.Collection<String> ids) {
    if (ids.isEmpty()) {
      return List.of();
    }
    return jdbc.sql(SELECT + " WHERE r.id IN (:ids)").param("ids", ids).query(this::map).list();
  }

  /**
   * Every ready resource of a type that should be present, e.g. to re-apply state to a backend
   * after its restart (a resource being disabled or removed is left out).
   */
  public List<ResourceRow> readyOfType(String type) {
    return jdbc.sql(
            SELECT
                + " WHERE s.type = :type AND r.phase = 'ready' AND r.desired = 'present'"
                + " ORDER BY r.created_at")
        .param("type", type)
        .query(this::map)
        .list();
  }

  /** Sets a resource's phase and error. */
  public void setPhase(String id, String phase, String error) {
    jdbc.sql(
            "UPDATE resources SET phase = :phase, error = :error, updated_at = now() WHERE id = :id")
        .param("id", id)
        .param("phase", phase)
        .param("error", error)
        .update();
  }

  /**
   * Marks a resource ready with the attributes its provider reported merged over the stored ones,
   * in one statement (one commit).
   *
   * @param id the resource id
   * @param attributes attributes to merge (may be empty)
   */
  public void markReady(String id, Map<String, String> attributes) {
    jdbc.sql(
            """
            UPDATE resources SET attributes = attributes || CAST(:attrs AS jsonb), phase = 'ready',
                   error = NULL, updated_at = now()
            WHERE id = :id
            """)
        .param("id", id)
        .param("attrs", json.writeValueAsString(attributes))
        .update();
  }

  /** Marks the live resources of a service (or of one of its environments) for removal. */
  public int markAbsent(String serviceId, String environmentIdOrNull) {
    return jdbc.sql(
            """
            UPDATE resources SET desired = 'absent', updated_at = now()
            WHERE service_id = :service AND phase <> 'deleted'
              AND (CAST(:env AS text) IS NULL OR environment_id = :env)
            """)
        .param("service", serviceId)
        .param("env", environmentIdOrNull)
        .update();
  }

  /**
   * Sets what the live resources of a service (or of one environment, or both) should be, for soft
   * delete and undelete. Resources being removed ({@code desired = absent}) are left alone, and so
   * with {@code onlyWhereActive}, is a resource whose data service or environment is not active
   * (undeleting a service leaves its resources in a deleted environment disabled, and the other way
   * round).
   *
   * @param serviceIdOrNull the data service, or null for every service of the environment
   * @param environmentIdOrNull the environment, or null for every environment of the service
   * @param desired {@code present} or {@code disabled}
   * @param onlyWhereActive whether to touch only resources whose data service and environment are
   *     both {@code active}
   * @return the ids of the data services whose resources changed
   */
  public List<String> setDesired(
      String serviceIdOrNull, String environmentIdOrNull, String desired, boolean onlyWhereActive) {
    if (!"present".equals(desired) && !"disabled".equals(desired)) {
      throw new IllegalArgumentException("desired must be present or disabled");
    }
    return jdbc
        .sql(
            """
            UPDATE resources r SET desired = :desired, updated_at = now()
            FROM data_services s, environments e
            WHERE s.id = r.service_id AND e.id = r.environment_id
              AND r.phase <> 'deleted' AND r.desired <> 'absent' AND r.desired <> :desired
              AND (CAST(:service AS text) IS NULL OR r.service_id = :service)
              AND (CAST(:env AS text) IS NULL OR r.environment_id = :env)
              AND (NOT :onlyActive OR (s.state = 'active' AND e.state = 'active'))
            RETURNING r.service_id
            """)
        .param("service", serviceIdOrNull)
        .param("env", environmentIdOrNull)
        .param("desired", desired)
        .param("onlyActive", onlyWhereActive)
        .query(String.class)
        .list()
        .stream()
        .distinct()
        .toList();
  }

  /**
   * Marks every live resource of an environment, across its data services, for removal.
   *
   * @return the ids of the data services that have a resource to remove there
   */
  public List<String> markEnvironmentAbsent(String environmentId) {
    return jdbc
        .sql(
            """
            UPDATE resources SET desired = 'absent', updated_at = now()
            WHERE environment_id = :env AND phase <> 'deleted'
            RETURNING service_id
            """)
        .param("env", environmentId)
        .query(String.class)
        .list()
        .stream()
        .distinct()
        .toList();
  }

  /** Merges attributes over the stored ones. */
  public void mergeAttributes(String id, Map<String, String> attributes) {
    if (attributes.isEmpty()) {
      return;
    }
    jdbc.sql(
            "UPDATE resources SET attributes = attributes || CAST(:attrs AS jsonb), updated_at = now() WHERE id = :id")
        .param("id", id)
        .param("attrs", json.writeValueAsString(attributes))
        .update();
  }

  /**
   * Stores a ciphertext under a name unless one is stored, then returns the stored one. Two
   * concurrent callers both get the first value written.
   */
  public String putSecretIfAbsent(String id, String name, String ciphertext) {
    // One round trip when the name is free (the usual case); a second read when another attempt
    // stored it first.
    return jdbc.sql(
            """
            UPDATE resources SET secrets = secrets || jsonb_build_object(CAST(:name AS text), CAST(:value AS text))
            WHERE id = :id AND (secrets -> CAST(:name AS text)) IS NULL
            RETURNING secrets ->> CAST(:name AS text)
            """)
        .param("id", id)
        .param("name", name)
        .param("value", ciphertext)
        .query(String.class)
        .optional()
        .orElseGet(
            () ->
                jdbc.sql("SELECT secrets ->> :name FROM resources WHERE id = :id")
                    .param("id", id)
                    .param("name", name)
                    .query(String.class)
                    .single());
  }

  private ResourceRow map(ResultSet rs, int row) throws SQLException {
    return new ResourceRow(
        rs.getString("id"),
        rs.getString("service_id"),
        rs.getString("service_type"),
        rs.getString("service_name"),
        rs.getString("service_state"),
        json.readValue(rs.getString("service_config"), OBJECT_MAP),
        rs.getString("p_id"),
        rs.getString("project_slug"),
        rs.getString("environment_id"),
        rs.getString("environment_name"),
        rs.getString("desired"),
        rs.getString("phase"),
        rs.getString("backend"),
        json.readValue(rs.getString("attributes"), STRING_MAP),
        json.readValue(rs.getString("secrets"), STRING_MAP),
        rs.getString("error"));
  }
}
