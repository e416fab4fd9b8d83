package dev.miosa.data.provisioner.operation;

/** Carries out one claimed operation; throwing fails the attempt. */
@FunctionalInterface
public interface OperationExecutor {

  /**
   * Runs the operation to its end. May be called again for the same operation after a crash or a
   * failed attempt, so it must be idempotent.
   *
   * @param operation the claimed operation
   */
  void execute(Operation operation);
}
