package dev.miosa.data.provisioner.rotation;

import java.time.Instant;

/**
 * One rotation of one resource's credentials, as stored in {@code credential_rotations}.
 *
 * @param id the rotation id ({@code rot_...})
 * @param resourceId the resource whose credentials rotate
 * @param projectId its project
 * @param serviceId its data service
 * @param environmentId its environment
 * @param rotateOperationId the operation that adds and promotes the next credential
 * @param graceSeconds how long the previous credential keeps working after the promotion
 * @param state {@code requested | grace | revoking | revoked | failed}
 * @param promotedAt when the next credential became the current one, or null
 * @param graceEndsAt when the previous credential is due for revocation, or null
 * @param revokeOperationId the operation revoking the previous credential, or null
 * @param revokedAt when the previous credential was revoked, or null
 */
public record Rotation(
    String id,
    String resourceId,
    String projectId,
    String serviceId,
    String environmentId,
    String rotateOperationId,
    int graceSeconds,
    String state,
    Instant promotedAt,
    Instant graceEndsAt,
    String revokeOperationId,
    Instant revokedAt) {

  /** The rotate operation has not promoted the next credential yet. */
  public static final String REQUESTED = "requested";

  /** Promoted; the previous credential works until {@link #graceEndsAt}. */
  public static final String GRACE = "grace";

  /** The grace is over and a revoke operation was enqueued. */
  public static final String REVOKING = "revoking";

  /** The previous credential is gone. */
  public static final String REVOKED = "revoked";

  /** The rotate operation failed for good before promoting; nothing changed. */
  public static final String FAILED = "failed";

  /** Whether a previous credential of this rotation may still be valid on the backend. */
  public boolean holdsPrevious() {
    return GRACE.equals(state) || REVOKING.equals(state);
  }
}
