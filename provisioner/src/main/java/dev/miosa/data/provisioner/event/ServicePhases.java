package dev.miosa.data.provisioner.event;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;

/**
 * Tells {@code service.phase_changed} when a data service's summed phase changes. The summed phase
 * is the one the API shows: {@code deleted} (soft-deleted, restorable), {@code deleting} (being
 * purged) or {@code purged} from the data service's state, otherwise {@code failed} when a live
 * resource failed, {@code provisioning} while one is not ready, else {@code ready}; the resources
 * of a deleted environment count for nothing.
 *
 * <p>The last told phase of each data service is kept in {@code service_phases} (a missing row
 * reads {@code provisioning}, the phase of a new attachment). {@link #change} runs a change and the
 * comparison in one transaction, holding that row's lock, so concurrent steps of one data service
 * (its environments provision at once) each see the phase the one before told, and a change and its
 * event commit together.
 */
public class ServicePhases {

  /** Runs changes and tells nothing. */
  public static final ServicePhases NONE = new ServicePhases(null, null, null);

  private final JdbcClient jdbc;
  private final TransactionOperations tx;
  private final EventPublisher events;

  /**
   * @param jdbc a client on the control-plane database
   * @param tx transactions on the same database
   * @param events where the event is published
   */
  public ServicePhases(JdbcClient jdbc, TransactionOperations tx, EventPublisher events) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.events = events;
  }

  /**
   * Runs a change of a data service's resources or state, then compares its summed phase with the
   * last told one and publishes {@code service.phase_changed} when they differ, all in one
   * transaction.
   *
   * @param serviceId the data service
   * @param change writes to the control-plane database
   */
  public void change(String serviceId, Runnable change) {
    if (jdbc == null) {
      change.run();
      return;
    }
    tx.executeWithoutResult(
        status -> {
          change.run();
          check(serviceId);
        });
  }

  /**
   * Compares the summed phase with the last told one and publishes the change, in the caller's
   * transaction (call it in one).
   *
   * @param serviceId the data service
   */
  public void check(String serviceId) {
    if (jdbc == null) {
      return;
    }
    jdbc.sql(
            "INSERT INTO service_phases (service_id, phase) SELECT id, 'provisioning' FROM data_services"
                + " WHERE id = :id ON CONFLICT (service_id) DO NOTHING")
        .param("id", serviceId)
        .update();
    Optional<String> told =
        jdbc.sql("SELECT phase FROM service_phases WHERE service_id = :id FOR UPDATE")
            .param("id", serviceId)
            .query(String.class)
            .optional();
    if (told.isEmpty()) {
      return; // no such data service
    }
    Map<String, Object> now =
        jdbc.sql(
                """
                SELECT s.project_id, s.type, s.name,
                       CASE WHEN s.state = 'disabled' THEN 'deleted'
                            WHEN s.state = 'deleting' THEN 'deleting'
                            WHEN s.state = 'deleted' THEN 'purged'
                            WHEN bool_or(r.phase = 'failed') THEN 'failed'
                            WHEN bool_or(r.phase <> 'ready') THEN 'provisioning'
                            ELSE 'ready' END AS phase
                FROM data_services s
                LEFT JOIN resources r ON r.service_id = s.id AND r.phase <> 'deleted'
                                     AND r.desired <> 'disabled'
                WHERE s.id = :id
                GROUP BY s.id
                """)
            .param("id", serviceId)
            .query()
            .singleRow();
    String phase = String.valueOf(now.get("phase"));
    if (phase.equals(told.get())) {
      return;
    }
    jdbc.sql("UPDATE service_phases SET phase = :phase WHERE service_id = :id")
        .param("id", serviceId)
        .param("phase", phase)
        .update();
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("serviceId", serviceId);
    data.put("serviceType", now.get("type"));
    data.put("serviceName", now.get("name"));
    data.put("projectId", now.get("project_id"));
    data.put("from", told.get());
    data.put("to", phase);
    events.publish(
        new Event(EventTypes.SERVICE_PHASE_CHANGED, (String) now.get("project_id"), data));
  }
}
