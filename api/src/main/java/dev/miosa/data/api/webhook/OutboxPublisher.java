package dev.miosa.data.api.webhook;

import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.event.Event;
import dev.miosa.data.provisioner.event.EventPublisher;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * The transactional outbox: an event is written to {@code webhook_events}, with one {@code
 * webhook_deliveries} row per endpoint that subscribes to it, in one statement on the caller's
 * transaction ({@link JdbcClient} joins Spring's), so the event exists exactly when the change it
 * tells of was committed. An event no endpoint subscribes to is not written at all. After commit
 * the delivery worker of this process is woken; other replicas find the rows by polling.
 */
public final class OutboxPublisher implements EventPublisher {

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final Runnable afterCommit;

  /**
   * @param jdbc the control-plane store
   * @param json writes the payload
   * @param afterCommit run once deliveries were committed (the worker's wake-up); quick, no throw
   */
  public OutboxPublisher(JdbcClient jdbc, JsonMapper json, Runnable afterCommit) {
    this.jdbc = jdbc;
    this.json = json;
    this.afterCommit = afterCommit;
  }

  @Override
  public void publish(Event event) {
    Map<String, Object> payload = new LinkedHashMap<>();
    payload.put("type", event.type());
    payload.put("timestamp", Instant.now().truncatedTo(ChronoUnit.MILLIS).toString());
    payload.put("data", event.data());
    int deliveries =
        jdbc.sql(
                """
                WITH endpoint AS (
                    SELECT id FROM webhook_endpoints
                    WHERE (project_id IS NULL OR project_id = CAST(:project AS text))
                      AND ('*' = ANY (events) OR CAST(:type AS text) = ANY (events))),
                event AS (
                    INSERT INTO webhook_events (id, type, project_id, payload)
                    SELECT :id, CAST(:type AS text), CAST(:project AS text), :payload WHERE EXISTS (SELECT 1 FROM endpoint)
                    RETURNING id)
                INSERT INTO webhook_deliveries (id, event_id, endpoint_id)
                SELECT 'dlv_' || replace(CAST(gen_random_uuid() AS text), '-', ''), event.id, endpoint.id
                FROM event, endpoint
                """)
            .param("id", Ids.newId("evt"))
            .param("type", event.type())
            .param("project", event.projectId())
            .param("payload", json.writeValueAsString(payload))
            .update();
    if (deliveries > 0) {
      wakeAfterCommit();
    }
  }

  private void wakeAfterCommit() {
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              afterCommit.run();
            }
          });
    } else {
      afterCommit.run();
    }
  }
}
