package dev.miosa.data.provisioner.spi;

import java.util.Map;

/**
 * Runs a service-specific operation type (backup, restore, resize, snapshot) from the durable
 * queue. Like provisioning, {@link #execute} may run more than once for one operation and must be
 * idempotent.
 */
public interface OperationHandler {

  /** The operation type handled, e.g. {@code "postgres.backup"}. */
  String operationType();

  /**
   * Performs the operation.
   *
   * @param operationId the operation's id
   * @param resource the resource it acts on
   * @param params the parameters stored with the operation
   * @throws RuntimeException to fail this attempt (retried with backoff)
   */
  void execute(String operationId, ResourceContext resource, Map<String, Object> params);
}
