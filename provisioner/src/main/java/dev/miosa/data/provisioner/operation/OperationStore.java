package dev.miosa.data.provisioner.operation;

import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.event.Event;
import dev.miosa.data.provisioner.event.EventPublisher;
import dev.miosa.data.provisioner.event.EventTypes;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionOperations;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * The durable operation queue in the control-plane PostgreSQL.
 *
 * <p>Claiming uses {@code FOR UPDATE SKIP LOCKED} so that replicas never take the same row, and a
 * lease ({@code lease_owner}, {@code lease_expires_at}) that the worker renews while it runs: when
 * a worker dies, its lease lapses and any replica takes the operation over. Operations of one data
 * service run one at a time, oldest first.
 *
 * <p>Enqueueing wakes workers at once instead of leaving them to the next poll: the workers of this
 * process through {@link #onEnqueued} (after the enqueuing transaction committed), those of other
 * replicas through {@code NOTIFY} on {@link #CHANNEL}, which PostgreSQL delivers at commit (and
 * drops on rollback). Polling stays as the fallback for anything a wake-up misses.
 *
 * <p>An operation's final outcome ({@code succeeded} or {@code failed}) is written in one
 * transaction with the {@code operation.succeeded}/{@code operation.failed} event and whatever the
 * {@link #onFinished} listeners write, so an outcome and its events are committed together.
 */
public final class OperationStore {

  /** The {@code LISTEN}/{@code NOTIFY} channel told of every enqueued operation. */
  public static final String CHANNEL = "miosa_operations";

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;
  private final List<Runnable> enqueueListeners = new CopyOnWriteArrayList<>();
  private final List<Consumer<Operation>> finishListeners = new CopyOnWriteArrayList<>();
  private final TransactionOperations tx;
  private final EventPublisher events;

  /**
   * A store that publishes no events.
   *
   * @param jdbc a client on the control-plane database
   * @param json the mapper for the {@code params} column
   */
  public OperationStore(JdbcClient jdbc, JsonMapper json) {
    this(jdbc, json, TransactionOperations.withoutTransaction(), EventPublisher.NONE);
  }

  /**
   * @param jdbc a client on the control-plane database
   * @param json the mapper for the {@code params} column
   * @param tx transactions on the same database as {@code jdbc} (an outcome and its events are
   *     written in one)
   * @param events where {@code operation.succeeded} and {@code operation.failed} are published
   */
  public OperationStore(
      JdbcClient jdbc, JsonMapper json, TransactionOperations tx, EventPublisher events) {
    this.jdbc = jdbc;
    this.json = json;
    this.tx = tx;
    this.events = events;
  }

  /**
   * Registers a callback run when an operation reaches its final state, inside the transaction that
   * writes that state (what it writes through the same database commits with the outcome). It must
   * not call remote systems.
   *
   * @param listener told the finished operation
   */
  public void onFinished(Consumer<Operation> listener) {
    finishListeners.add(listener);
  }

  /**
   * Registers a callback run after each enqueue on this store has committed (at once when there is
   * no transaction); it must be quick and must not throw.
   *
   * @param listener e.g. a worker's {@code wakeUp}
   */
  public void onEnqueued(Runnable listener) {
    enqueueListeners.add(listener);
  }

  /**
   * Removes a callback added by {@link #onEnqueued}.
   *
   * @param listener the callback
   */
  public void removeEnqueueListener(Runnable listener) {
    enqueueListeners.remove(listener);
  }

  /**
   * Enqueues an operation. Runs in the caller's transaction when there is one, so the operation
   * exists exactly when the change that asked for it was committed. Workers are woken once it is
   * committed: here through {@link #onEnqueued}, on other replicas through {@code NOTIFY}.
   *
   * @return the new operation's id
   */
  public String enqueue(
      String type,
      String projectId,
      String serviceId,
      String environmentId,
      Map<String, Object> params,
      int maxAttempts) {
    String id = Ids.newId("op");
    jdbc.sql(
            """
            INSERT INTO operations (id, type, project_id, service_id, environment_id, params, max_attempts)
            VALUES (:id, :type, :project, :service, :env, CAST(:params AS jsonb), :max)
            """)
        .param("id", id)
        .param("type", type)
        .param("project", projectId)
        .param("service", serviceId)
        .param("env", environmentId)
        .param("params", json.writeValueAsString(params))
        .param("max", maxAttempts)
        .update();
    // Delivered to every LISTENing replica when (and only if) the transaction commits;
    // PostgreSQL folds identical notifications of one transaction into one.
    jdbc.sql("SELECT pg_notify('" + CHANNEL + "', '')").query().singleRow();
    wakeAfterCommit();
    return id;
  }

  private void wakeAfterCommit() {
    if (enqueueListeners.isEmpty()) {
      return;
    }
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              enqueueListeners.forEach(Runnable::run);
            }
          });
    } else {
      enqueueListeners.forEach(Runnable::run);
    }
  }

  /**
   * Claims the next due operation: a pending one whose backoff has passed, or a running one whose
   * lease lapsed, and only the oldest unfinished one of its data service.
   *
   * @param owner the claiming worker's id
   * @param lease how long the claim holds without renewal
   * @return the claimed operation, its attempts already counted
   */
  public Optional<Operation> claim(String owner, Duration lease) {
    return jdbc.sql(
            """
            UPDATE operations SET state = 'running', lease_owner = :owner,
                   lease_expires_at = now() + make_interval(secs => :lease),
                   attempts = attempts + 1, updated_at = now()
            WHERE id = (
                SELECT o.id FROM operations o
                WHERE (o.state = 'pending' OR (o.state = 'running' AND o.lease_expires_at < now()))
                  AND o.retry_not_before <= now()
                  AND NOT EXISTS (
                      SELECT 1 FROM operations p
                      WHERE p.service_id = o.service_id AND p.state IN ('pending', 'running')
                        AND (p.created_at, p.id) < (o.created_at, o.id))
                ORDER BY o.created_at, o.id
                FOR UPDATE SKIP LOCKED
                LIMIT 1)
            RETURNING *
            """)
        .param("owner", owner)
        .param("lease", (double) lease.toMillis() / 1000.0)
        .query(this::map)
        .optional();
  }

  /**
   * Extends a lease.
   *
   * @return false when the lease was lost (another worker took the operation over)
   */
  public boolean renew(String id, String owner, Duration lease) {
    return jdbc.sql(
                """
                UPDATE operations SET lease_expires_at = now() + make_interval(secs => :lease)
                WHERE id = :id AND lease_owner = :owner AND state = 'running'
                """)
            .param("id", id)
            .param("owner", owner)
            .param("lease", (double) lease.toMillis() / 1000.0)
            .update()
        == 1;
  }

  /** Marks the operation succeeded, if this owner still holds it. */
  public void succeed(String id, String owner) {
    tx.executeWithoutResult(
        status ->
            jdbc.sql(
                    """
                    UPDATE operations SET state = 'succeeded', lease_owner = NULL, lease_expires_at = NULL,
                           error_code = NULL, error = NULL, finished_at = now(), updated_at = now()
                    WHERE id = :id AND lease_owner = :owner AND state = 'running'
                    RETURNING *
                    """)
                .param("id", id)
                .param("owner", owner)
                .query(this::map)
                .optional()
                .ifPresent(this::finished));
  }

  /**
   * Records a failed attempt: back to {@code pending} after {@code backoff} while attempts remain
   * and the error is retryable, otherwise {@code failed}.
   */
  public void fail(
      String id, String owner, String code, String message, Duration backoff, boolean retryable) {
    tx.executeWithoutResult(
        status -> failInTransaction(id, owner, code, message, backoff, retryable));
  }

  private void failInTransaction(
      String id, String owner, String code, String message, Duration backoff, boolean retryable) {
    jdbc.sql(
            """
            UPDATE operations SET
                   state = CASE WHEN :retryable AND attempts < max_attempts THEN 'pending' ELSE 'failed' END,
                   finished_at = CASE WHEN :retryable AND attempts < max_attempts THEN NULL ELSE now() END,
                   retry_not_before = now() + make_interval(secs => :backoff),
                   lease_owner = NULL, lease_expires_at = NULL,
                   error_code = :code, error = :message, updated_at = now()
            WHERE id = :id AND lease_owner = :owner AND state = 'running'
            RETURNING *
            """)
        .param("id", id)
        .param("owner", owner)
        .param("code", code)
        .param("message", message)
        .param("backoff", (double) backoff.toMillis() / 1000.0)
        .param("retryable", retryable)
        .query(this::map)
        .optional()
        .filter(Operation::finished)
        .ifPresent(this::finished);
  }

  /**
   * Ends the pending operations of a data service that a newer request made pointless (a provision
   * when the service is being deleted).
   *
   * @return how many were ended
   */
  public int supersede(String serviceId, String type, String reason) {
    List<Operation> ended =
        jdbc.sql(
                """
                UPDATE operations SET state = 'failed', error_code = 'SUPERSEDED', error = :reason,
                       finished_at = now(), updated_at = now()
                WHERE service_id = :service AND type = :type AND state = 'pending'
                RETURNING *
                """)
            .param("service", serviceId)
            .param("type", type)
            .param("reason", reason)
            .query(this::map)
            .list();
    ended.forEach(this::finished);
    return ended.size();
  }

  /** Publishes the outcome event and tells the listeners, in the outcome's transaction. */
  private void finished(Operation op) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("operationId", op.id());
    data.put("operationType", op.type());
    data.put("state", op.state());
    data.put("projectId", op.projectId());
    data.put("serviceId", op.serviceId());
    data.put("environmentId", op.environmentId());
    data.put("attempts", op.attempts());
    data.put("errorCode", op.errorCode());
    String type =
        "succeeded".equals(op.state())
            ? EventTypes.OPERATION_SUCCEEDED
            : EventTypes.OPERATION_FAILED;
    events.publish(new Event(type, op.projectId(), data));
    finishListeners.forEach(l -> l.accept(op));
  }

  /** Finds an operation by id. */
  public Optional<Operation> find(String id) {
    return jdbc.sql("SELECT * FROM operations WHERE id = :id")
        .param("id", id)
        .query(this::map)
        .optional();
  }

  /** Lists the unfinished operations (oldest first), for diagnostics and tests. */
  public List<Operation> unfinished() {
    return jdbc.sql(
            "SELECT * FROM operations WHERE state IN ('pending', 'running') ORDER BY created_at")
        .query(this::map)
        .list();
  }

  private Operation map(ResultSet rs, int row) throws SQLException {
    return new Operation(
        rs.getString("id"),
        rs.getString("type"),
        rs.getString("project_id"),
        rs.getString("service_id"),
        rs.getString("environment_id"),
        json.readValue(rs.getString("params"), MAP),
        rs.getString("state"),
        rs.getInt("attempts"),
        rs.getInt("max_attempts"),
        rs.getString("error_code"),
        rs.getString("error"),
        instant(rs.getTimestamp("created_at")),
        instant(rs.getTimestamp("finished_at")));
  }

  private static Instant instant(Timestamp ts) {
    return ts == null ? null : ts.toInstant();
  }
}
