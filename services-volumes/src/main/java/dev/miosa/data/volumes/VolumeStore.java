package dev.miosa.data.volumes;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;

/** The {@code volumes} table: one row per volume whose image exists. */
public final class VolumeStore {

  private static final String SELECT =
      """
      SELECT v.resource_id, v.size_gib, v.fencing_token, s.project_id, s.id AS service_id,
             s.name AS service_name, e.id AS environment_id, e.name AS environment_name,
             (r.desired = 'present' AND r.phase = 'ready' AND s.state = 'active' AND e.state = 'active') AS usable
      FROM volumes v
      JOIN resources r ON r.id = v.resource_id
      JOIN data_services s ON s.id = r.service_id
      JOIN environments e ON e.id = r.environment_id
      """;

  private final JdbcClient jdbc;

  /**
   * @param jdbc a client on the control-plane database
   */
  public VolumeStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Records a volume whose image now exists; a no-op when it is recorded already. */
  public void register(String resourceId, int sizeGiB) {
    jdbc.sql(
            "INSERT INTO volumes (resource_id, size_gib) VALUES (:r, :size) ON CONFLICT (resource_id) DO NOTHING")
        .param("r", resourceId)
        .param("size", sizeGiB)
        .update();
  }

  /** A volume by resource id. */
  public Optional<Volume> find(String resourceId) {
    return jdbc.sql(SELECT + " WHERE v.resource_id = :r")
        .param("r", resourceId)
        .query(VolumeStore::map)
        .optional();
  }

  /** The volumes of a data service (of one environment when {@code environmentId} is not null). */
  public List<Volume> ofService(String serviceId, String environmentId) {
    return jdbc.sql(
            SELECT
                + " WHERE r.service_id = :s AND r.phase <> 'deleted'"
                + " AND (CAST(:e AS text) IS NULL OR r.environment_id = :e) ORDER BY v.resource_id")
        .param("s", serviceId)
        .param("e", environmentId)
        .query(VolumeStore::map)
        .list();
  }

  /**
   * The volume of a data service in one environment.
   *
   * @param serviceId the data service
   * @param environmentId the environment
   * @return the volume
   * @throws MiosaException {@code VOLUME_NOT_READY} while its image is being created, {@code
   *     VOLUME_NOT_FOUND} when the data service has no resource in that environment
   */
  public Volume of(String serviceId, String environmentId) {
    List<Volume> found = ofService(serviceId, environmentId);
    if (!found.isEmpty()) {
      return found.get(0);
    }
    boolean provisioning =
        jdbc.sql(
                "SELECT 1 FROM resources WHERE service_id = :s AND environment_id = :e AND phase <> 'deleted'")
            .param("s", serviceId)
            .param("e", environmentId)
            .query((rs, n) -> 1)
            .optional()
            .isPresent();
    throw provisioning
        ? new MiosaException(
            ErrorCode.VOLUME_NOT_READY, "the volume of this environment is still being provisioned")
        : new MiosaException(
            ErrorCode.VOLUME_NOT_FOUND, "the data service has no volume in this environment");
  }

  /** Records a volume's new size. */
  public void setSize(String resourceId, int sizeGiB) {
    jdbc.sql("UPDATE volumes SET size_gib = :size, updated_at = now() WHERE resource_id = :r")
        .param("r", resourceId)
        .param("size", sizeGiB)
        .update();
  }

  /**
   * Raises the {@code sizeGiB} of the data service's config to a volume's new size (never lowers
   * it), so that the config reports the size a volume was grown to and environments added later
   * start at it.
   *
   * @param resourceId the grown volume
   * @param sizeGiB its new size
   */
  public void raiseConfiguredSize(String resourceId, int sizeGiB) {
    jdbc.sql(
            """
            UPDATE data_services d
               SET config = jsonb_set(d.config, '{sizeGiB}', to_jsonb(CAST(:size AS int)))
              FROM resources r
             WHERE r.id = :r AND d.id = r.service_id
               AND COALESCE(CAST(d.config->>'sizeGiB' AS int), 0) < :size
            """)
        .param("r", resourceId)
        .param("size", sizeGiB)
        .update();
  }

  /**
   * Locks a volume's row until the end of the caller's transaction ({@code SELECT ... FOR UPDATE}):
   * whoever changes who holds the volume locks it first, so they queue here.
   *
   * @return the volume as seen after the lock was granted, or empty when there is none
   */
  Optional<Volume> lock(String resourceId) {
    boolean exists =
        jdbc.sql("SELECT 1 FROM volumes WHERE resource_id = :r FOR UPDATE")
            .param("r", resourceId)
            .query((rs, n) -> 1)
            .optional()
            .isPresent();
    // A new statement: under READ COMMITTED it sees what committed while we waited for the lock.
    return exists ? find(resourceId) : Optional.empty();
  }

  /** Takes the next fencing token of a locked volume. */
  long nextToken(String resourceId) {
    return jdbc.sql(
            "UPDATE volumes SET fencing_token = fencing_token + 1, updated_at = now() WHERE resource_id = :r RETURNING fencing_token")
        .param("r", resourceId)
        .query(Long.class)
        .single();
  }

  /** Whether a resource exists (in any phase other than deleted). */
  boolean resourceExists(String resourceId) {
    return jdbc.sql("SELECT 1 FROM resources WHERE id = :r AND phase <> 'deleted'")
        .param("r", resourceId)
        .query((rs, n) -> 1)
        .optional()
        .isPresent();
  }

  private static Volume map(ResultSet rs, int row) throws SQLException {
    return new Volume(
        rs.getString("resource_id"),
        rs.getInt("size_gib"),
        rs.getLong("fencing_token"),
        rs.getString("project_id"),
        rs.getString("service_id"),
        rs.getString("service_name"),
        rs.getString("environment_id"),
        rs.getString("environment_name"),
        rs.getBoolean("usable"));
  }
}
