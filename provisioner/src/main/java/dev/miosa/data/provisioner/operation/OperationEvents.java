package dev.miosa.data.provisioner.operation;

/**
 * What an {@link OperationWorker} reports as it runs operations, for metrics. Called on worker
 * threads; implementations must be quick and must not throw.
 */
public interface OperationEvents {

  /** Reports nothing. */
  OperationEvents NONE = new OperationEvents() {};

  /**
   * An attempt failed (it is retried later or the operation ends {@code failed}).
   *
   * @param op the operation
   * @param errorCode the stable error code recorded with it
   */
  default void attemptFailed(Operation op, String errorCode) {}

  /**
   * This worker's lease on a running operation was lost (another replica may take it over).
   *
   * @param op the operation
   */
  default void leaseLost(Operation op) {}
}
