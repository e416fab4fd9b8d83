package dev.miosa.data.postgres.backup;

import java.time.Instant;

/**
 * One backup: a {@code pg_dump -Fc} archive of one environment's database on the platform bucket.
 *
 * @param id opaque id ({@code bkp_...})
 * @param projectId the project
 * @param serviceId the data service it was taken of
 * @param resourceId the resource (database) it was taken of
 * @param environmentId the environment it was taken in
 * @param environmentName that environment's name
 * @param kind {@code scheduled} or {@code manual}
 * @param scheduledAt the due time of a scheduled backup, else null
 * @param state {@code pending | running | succeeded | failed}
 * @param operationId the operation that takes it
 * @param objectKey its key in the platform bucket
 * @param sizeBytes archive size once succeeded, else null
 * @param sha256 hex SHA-256 of the archive once succeeded, else null
 * @param error the last error, or null
 * @param createdAt when it was asked for
 * @param startedAt when the last attempt started, or null
 * @param finishedAt when it succeeded or last failed, or null
 * @param expiresAt when it is deleted because its data service is gone, or null while it lives
 */
public record Backup(
    String id,
    String projectId,
    String serviceId,
    String resourceId,
    String environmentId,
    String environmentName,
    String kind,
    Instant scheduledAt,
    String state,
    String operationId,
    String objectKey,
    Long sizeBytes,
    String sha256,
    String error,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Instant expiresAt) {

  /** Whether it can be restored. */
  public boolean restorable() {
    return "succeeded".equals(state);
  }
}
