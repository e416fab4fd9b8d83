package dev.miosa.data.provisioner.operation;

import java.time.Instant;
import java.util.Map;

/**
 * One asynchronous change, as stored in the {@code operations} table.
 *
 * @param id the operation id ({@code op_...})
 * @param type {@code provision}, {@code deprovision}, {@code disable} or a service-specific type
 * @param projectId the project
 * @param serviceId the data service, or null
 * @param environmentId the environment it is limited to, or null for all
 * @param params type-specific parameters
 * @param state {@code pending | running | succeeded | failed}
 * @param attempts attempts started so far
 * @param maxAttempts attempts after which a failure is final
 * @param errorCode machine code of the last error, or null
 * @param error human message of the last error (never a secret), or null
 * @param createdAt when it was enqueued
 * @param finishedAt when it reached a final state, or null
 */
public record Operation(
    String id,
    String type,
    String projectId,
    String serviceId,
    String environmentId,
    Map<String, Object> params,
    String state,
    int attempts,
    int maxAttempts,
    String errorCode,
    String error,
    Instant createdAt,
    Instant finishedAt) {

  /** Provision every resource of the data service that should exist. */
  public static final String PROVISION = "provision";

  /** Remove every resource of the data service that should not exist. */
  public static final String DEPROVISION = "deprovision";

  /**
   * Switch off every resource of the data service (or environment) that should be disabled, keeping
   * its data: the first half of a soft delete ({@code ServiceProvider.disable}).
   */
  public static final String DISABLE = "disable";

  /** Whether the operation reached a final state. */
  public boolean finished() {
    return "succeeded".equals(state) || "failed".equals(state);
  }
}
