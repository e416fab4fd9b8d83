package dev.miosa.data.provisioner.rotation;

import dev.miosa.data.provisioner.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Reads and writes {@code credential_rotations} and the credentials of the resources they move. */
public final class RotationStore {

  private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;

  /**
   * @param jdbc a client on the control-plane database
   * @param json mapper for jsonb columns
   */
  public RotationStore(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * Records a requested rotation; the caller enqueues its operation in the same transaction.
   *
   * @param id from {@link #newId()}
   */
  public void insert(
      String id,
      String resourceId,
      String projectId,
      String serviceId,
      String environmentId,
      String rotateOperationId,
      int graceSeconds) {
    jdbc.sql(
            """
            INSERT INTO credential_rotations (id, resource_id, project_id, service_id, environment_id,
                                              rotate_operation_id, grace_seconds)
            VALUES (:id, :res, :project, :service, :env, :op, :grace)
            """)
        .param("id", id)
        .param("res", resourceId)
        .param("project", projectId)
        .param("service", serviceId)
        .param("env", environmentId)
        .param("op", rotateOperationId)
        .param("grace", graceSeconds)
        .update();
  }

  /** A new rotation id ({@code rot_...}). */
  public static String newId() {
    return Ids.newId("rot");
  }

  /**
   * Marks as failed the requested rotations of a resource whose operation failed for good, so they
   * no longer count as in progress.
   */
  public void abandonFailed(String resourceId) {
    jdbc.sql(
            """
            UPDATE credential_rotations r SET state = 'failed'
            FROM operations o
            WHERE o.id = r.rotate_operation_id AND o.state = 'failed'
              AND r.state = 'requested' AND r.resource_id = :res
            """)
        .param("res", resourceId)
        .update();
  }

  /** The rotation of a resource that has not promoted yet, if any. */
  public Optional<Rotation> requestedOf(String resourceId) {
    return jdbc.sql(
            "SELECT * FROM credential_rotations WHERE resource_id = :res AND state = 'requested'")
        .param("res", resourceId)
        .query(this::map)
        .optional();
  }

  /** The rotations of a resource whose previous credential may still be valid, oldest first. */
  public List<Rotation> holdingPrevious(String resourceId) {
    return jdbc.sql(
            """
            SELECT * FROM credential_rotations
            WHERE resource_id = :res AND state IN ('grace', 'revoking') ORDER BY promoted_at, id
            """)
        .param("res", resourceId)
        .query(this::map)
        .list();
  }

  /** A rotation by id. */
  public Optional<Rotation> find(String id) {
    return jdbc.sql("SELECT * FROM credential_rotations WHERE id = :id")
        .param("id", id)
        .query(this::map)
        .optional();
  }

  /** A rotation by id, its row locked until the transaction ends. */
  Optional<Rotation> lock(String id) {
    return jdbc.sql("SELECT * FROM credential_rotations WHERE id = :id FOR UPDATE")
        .param("id", id)
        .query(this::map)
        .optional();
  }

  /**
   * Locks the rotations whose grace is over and that no replica is handling now; skips rows another
   * transaction holds.
   *
   * @param limit at most this many
   */
  List<Rotation> lockDue(int limit) {
    return jdbc.sql(
            """
            SELECT * FROM credential_rotations
            WHERE state = 'grace' AND grace_ends_at <= now()
            ORDER BY grace_ends_at, id
            LIMIT :limit
            FOR UPDATE SKIP LOCKED
            """)
        .param("limit", limit)
        .query(this::map)
        .list();
  }

  /** Records the promotion: the grace starts now. */
  Instant markPromoted(String id, int graceSeconds) {
    return jdbc.sql(
            """
            UPDATE credential_rotations SET state = 'grace', promoted_at = now(),
                   grace_ends_at = now() + make_interval(secs => :grace)
            WHERE id = :id RETURNING grace_ends_at
            """)
        .param("id", id)
        .param("grace", graceSeconds)
        .query(Timestamp.class)
        .single()
        .toInstant();
  }

  /** Records the enqueued revoke operation. */
  void markRevoking(String id, String revokeOperationId) {
    jdbc.sql(
            "UPDATE credential_rotations SET state = 'revoking', revoke_operation_id = :op WHERE id = :id")
        .param("id", id)
        .param("op", revokeOperationId)
        .update();
  }

  /** Records the revocation. */
  void markRevoked(String id) {
    jdbc.sql("UPDATE credential_rotations SET state = 'revoked', revoked_at = now() WHERE id = :id")
        .param("id", id)
        .update();
  }

  /** How many rotations wait for their previous credential to be revoked. */
  public long pendingRevocations() {
    return jdbc.sql(
            "SELECT count(*) FROM credential_rotations WHERE state IN ('grace', 'revoking')")
        .query(Long.class)
        .single();
  }

  /**
   * A resource's attributes and ciphertexts, its row locked until the transaction ends.
   *
   * @return the two maps, or empty when the resource is gone
   */
  Optional<Credentials> lockCredentials(String resourceId) {
    return jdbc.sql("SELECT attributes, secrets FROM resources WHERE id = :id FOR UPDATE")
        .param("id", resourceId)
        .query(
            (rs, n) ->
                new Credentials(
                    json.readValue(rs.getString("attributes"), STRING_MAP),
                    json.readValue(rs.getString("secrets"), STRING_MAP)))
        .optional();
  }

  /** Replaces a resource's attributes and ciphertexts in one statement. */
  void writeCredentials(String resourceId, Credentials credentials) {
    jdbc.sql(
            """
            UPDATE resources SET attributes = CAST(:attrs AS jsonb), secrets = CAST(:secrets AS jsonb),
                   updated_at = now()
            WHERE id = :id
            """)
        .param("id", resourceId)
        .param("attrs", json.writeValueAsString(credentials.attributes()))
        .param("secrets", json.writeValueAsString(credentials.secrets()))
        .update();
  }

  /**
   * A resource's stored attributes and secrets (ciphertexts).
   *
   * @param attributes name to value
   * @param secrets name to ciphertext
   */
  record Credentials(Map<String, String> attributes, Map<String, String> secrets) {}

  private Rotation map(ResultSet rs, int row) throws SQLException {
    return new Rotation(
        rs.getString("id"),
        rs.getString("resource_id"),
        rs.getString("project_id"),
        rs.getString("service_id"),
        rs.getString("environment_id"),
        rs.getString("rotate_operation_id"),
        rs.getInt("grace_seconds"),
        rs.getString("state"),
        instant(rs.getTimestamp("promoted_at")),
        instant(rs.getTimestamp("grace_ends_at")),
        rs.getString("revoke_operation_id"),
        instant(rs.getTimestamp("revoked_at")));
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
