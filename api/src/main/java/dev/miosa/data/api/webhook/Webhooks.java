package dev.miosa.data.api.webhook;

import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.event.EventTypes;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Webhook endpoints (registered, listed, deleted) and their deliveries, in the control-plane store.
 * A signing secret is made at registration, answered once and kept encrypted with the master key
 * (the deliveries need it to sign); no later answer holds it.
 */
public class Webhooks {

  /** An endpoint as stored, without its secret. */
  public record Endpoint(
      String id, String url, List<String> events, String projectId, Instant createdAt) {}

  /** An endpoint just registered, with its secret (shown this once). */
  public record Created(Endpoint endpoint, Secret secret) {}

  /**
   * One delivery of an event to an endpoint.
   *
   * @param state {@code pending | sending | delivered | failed}
   * @param lastStatus the HTTP status of the last answer, or null (none yet, or no answer)
   * @param lastError why the last attempt failed, or null
   */
  public record Delivery(
      String id,
      String eventId,
      String eventType,
      String state,
      int attempts,
      Integer lastStatus,
      String lastError,
      Instant createdAt,
      Instant lastAttemptAt,
      Instant nextAttemptAt,
      Instant finishedAt) {}

  private static final int MAX_DELIVERIES_LISTED = 100;

  private final JdbcClient jdbc;
  private final SecretCipher cipher;
  private final TargetPolicy policy;
  private final ProjectService projects;

  /**
   * @param jdbc the control-plane store
   * @param cipher encrypts the signing secrets
   * @param policy which target addresses are allowed
   * @param projects resolves the project an endpoint is limited to
   */
  public Webhooks(
      JdbcClient jdbc, SecretCipher cipher, TargetPolicy policy, ProjectService projects) {
    this.jdbc = jdbc;
    this.cipher = cipher;
    this.policy = policy;
    this.projects = projects;
  }

  /** The context a secret is encrypted under: bound to its endpoint's row. */
  static String secretContext(String endpointId) {
    return "webhook/" + endpointId;
  }

  /**
   * Registers an endpoint.
   *
   * @param url an http(s) URL whose host is an allowed target
   * @param events {@code *} or names of {@link EventTypes#ALL}
   * @param project a project's id or slug, or null for every project
   * @return the endpoint and its new signing secret
   * @throws MiosaException {@code INVALID_REQUEST} naming {@code url}, {@code events} or {@code
   *     project}
   */
  public Created register(String url, List<String> events, String project) {
    policy.checkUrl(url);
    LinkedHashSet<String> types = new LinkedHashSet<>();
    for (String e : events) {
      if (!"*".equals(e) && !EventTypes.ALL.contains(e)) {
        throw MiosaException.invalid(
            "events",
            "unknown event type '"
                + ProjectService.printable(e)
                + "'; use * or any of "
                + String.join(", ", EventTypes.ALL));
      }
      types.add(e);
    }
    String projectId = null;
    if (project != null) {
      try {
        Project p = projects.find(project);
        projectId = p.id();
      } catch (MiosaException notFound) {
        throw MiosaException.invalid("project", "no such project");
      }
    }
    String id = Ids.newId("whk");
    Secret secret = WebhookSignature.newSecret();
    List<String> stored = types.contains("*") ? List.of("*") : List.copyOf(types);
    Endpoint created =
        jdbc.sql(
                """
                INSERT INTO webhook_endpoints (id, url, events, project_id, secret)
                VALUES (:id, :url, string_to_array(:events, ','), :project, :secret)
                RETURNING id, url, events, project_id, created_at
                """)
            .param("id", id)
            .param("url", url)
            .param("events", String.join(",", stored))
            .param("project", projectId)
            .param("secret", cipher.encrypt(secret, secretContext(id)))
            .query(Webhooks::endpoint)
            .single();
    return new Created(created, secret);
  }

  /** Every endpoint, oldest first. */
  public List<Endpoint> list() {
    return jdbc.sql(
            "SELECT id, url, events, project_id, created_at FROM webhook_endpoints ORDER BY created_at, id")
        .query(Webhooks::endpoint)
        .list();
  }

  /**
   * One endpoint.
   *
   * @throws MiosaException {@code WEBHOOK_NOT_FOUND}
   */
  public Endpoint find(String id) {
    return jdbc.sql(
            "SELECT id, url, events, project_id, created_at FROM webhook_endpoints WHERE id = :id")
        .param("id", id)
        .query(Webhooks::endpoint)
        .optional()
        .orElseThrow(() -> notFound(id));
  }

  /**
   * Deletes an endpoint; its deliveries, pending ones too, go with it.
   *
   * @throws MiosaException {@code WEBHOOK_NOT_FOUND}
   */
  public void delete(String id) {
    if (jdbc.sql("DELETE FROM webhook_endpoints WHERE id = :id").param("id", id).update() == 0) {
      throw notFound(id);
    }
  }

  /**
   * The newest deliveries of an endpoint (at most 100), newest first.
   *
   * @throws MiosaException {@code WEBHOOK_NOT_FOUND}
   */
  public List<Delivery> deliveries(String endpointId) {
    find(endpointId);
    return jdbc.sql(
            """
            SELECT d.*, e.type AS event_type FROM webhook_deliveries d
            JOIN webhook_events e ON e.id = d.event_id
            WHERE d.endpoint_id = :id ORDER BY d.created_at DESC, d.id LIMIT :n
            """)
        .param("id", endpointId)
        .param("n", MAX_DELIVERIES_LISTED)
        .query(
            (rs, i) ->
                new Delivery(
                    rs.getString("id"),
                    rs.getString("event_id"),
                    rs.getString("event_type"),
                    rs.getString("state"),
                    rs.getInt("attempts"),
                    (Integer) rs.getObject("last_status"),
                    rs.getString("last_error"),
                    instant(rs.getTimestamp("created_at")),
                    instant(rs.getTimestamp("last_attempt_at")),
                    "delivered".equals(rs.getString("state"))
                            || "failed".equals(rs.getString("state"))
                        ? null
                        : instant(rs.getTimestamp("next_attempt_at")),
                    instant(rs.getTimestamp("finished_at"))))
        .list();
  }

  private static MiosaException notFound(String id) {
    return new MiosaException(
        ErrorCode.WEBHOOK_NOT_FOUND, "no webhook '" + ProjectService.printable(id) + "'");
  }

  private static Endpoint endpoint(ResultSet rs, int i) throws SQLException {
    Array events = rs.getArray("events");
    return new Endpoint(
        rs.getString("id"),
        rs.getString("url"),
        Arrays.asList((String[]) events.getArray()),
        rs.getString("project_id"),
        instant(rs.getTimestamp("created_at")));
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
