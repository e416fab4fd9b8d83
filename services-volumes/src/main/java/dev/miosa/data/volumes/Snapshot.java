package dev.miosa.data.volumes;

import java.time.Instant;

/**
 * A point-in-time copy of a volume's image.
 *
 * @param id the snapshot id ({@code snp_...})
 * @param resourceId the volume it was taken of
 * @param serviceId the data service
 * @param environment the environment's name
 * @param state {@code pending}, {@code ready}, {@code failed} (its operation failed for good) or
 *     {@code deleted}
 * @param consistency {@code consistent} when no instance had the volume attached during the copy,
 *     {@code crash-consistent} otherwise (what a power cut at that moment would have left); null
 *     until ready
 * @param sizeGiB the image's size, null until ready
 * @param allocatedBytes the bytes the copy takes on the volume host (it is sparse), null until
 *     ready
 * @param operationId the operation taking it
 * @param createdAt when it was asked for
 * @param completedAt when it became ready, or null
 */
public record Snapshot(
    String id,
    String resourceId,
    String serviceId,
    String environment,
    String state,
    String consistency,
    Integer sizeGiB,
    Long allocatedBytes,
    String operationId,
    Instant createdAt,
    Instant completedAt) {

  /** Whether it can be restored. */
  public boolean ready() {
    return "ready".equals(state);
  }
}
