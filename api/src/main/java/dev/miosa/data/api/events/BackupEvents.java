package dev.miosa.data.api.events;

import dev.miosa.data.postgres.backup.PostgresBackups;
import dev.miosa.data.provisioner.event.Event;
import dev.miosa.data.provisioner.event.EventPublisher;
import dev.miosa.data.provisioner.event.EventTypes;
import dev.miosa.data.provisioner.operation.Operation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Tells {@code backup.succeeded} and {@code backup.failed} from the final outcome of {@code
 * postgres.backup} operations (a failed attempt that is retried tells nothing), in the transaction
 * that writes the outcome.
 */
final class BackupEvents implements Consumer<Operation> {

  private final JdbcClient jdbc;
  private final EventPublisher events;

  BackupEvents(JdbcClient jdbc, EventPublisher events) {
    this.jdbc = jdbc;
    this.events = events;
  }

  @Override
  public void accept(Operation op) {
    if (!PostgresBackups.BACKUP_OPERATION.equals(op.type())) {
      return;
    }
    String backupId = String.valueOf(op.params().get("backupId"));
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("backupId", backupId);
    data.put("operationId", op.id());
    data.put("projectId", op.projectId());
    data.put("serviceId", op.serviceId());
    data.put("environmentId", op.environmentId());
    jdbc.sql("SELECT environment_name, kind, size_bytes FROM postgres_backups WHERE id = :id")
        .param("id", backupId)
        .query(
            rs -> {
              data.put("environment", rs.getString("environment_name"));
              data.put("kind", rs.getString("kind"));
              data.put("sizeBytes", rs.getObject("size_bytes"));
            });
    if (!"succeeded".equals(op.state())) {
      data.put("errorCode", op.errorCode());
    }
    events.publish(
        new Event(
            "succeeded".equals(op.state()) ? EventTypes.BACKUP_SUCCEEDED : EventTypes.BACKUP_FAILED,
            op.projectId(),
            data));
  }
}
