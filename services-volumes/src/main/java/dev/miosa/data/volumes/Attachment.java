package dev.miosa.data.volumes;

import java.time.Instant;

/**
 * An attachment and the mount spec its holder follows.
 *
 * @param id the attachment's id ({@code att_...})
 * @param resourceId the volume
 * @param environment the environment's name
 * @param holderKind {@code instance} or {@code operation}
 * @param holder the instance id (or operation id)
 * @param fencingToken grows with every new attachment of the volume (and every forced detach):
 *     whatever the volume is written through can refuse writes that carry a smaller token than the
 *     largest it has seen
 * @param attachedAt when it began
 * @param leaseExpiresAt when it lapses unless renewed; after that another instance may take over
 * @param imagePath the image file on the volume host
 * @param filesystem always {@code ext4}
 * @param mountPath where the instance mounts it ({@code VOLUME_PATH})
 * @param sizeGiB the image's size
 * @param created true when this call made the attachment, false when it renewed the caller's own
 */
public record Attachment(
    String id,
    String resourceId,
    String environment,
    String holderKind,
    String holder,
    long fencingToken,
    Instant attachedAt,
    Instant leaseExpiresAt,
    String imagePath,
    String filesystem,
    String mountPath,
    int sizeGiB,
    boolean created) {

  /** This attachment as a holder named to someone refused the volume. */
  public Holder asHolder() {
    return new Holder(holderKind, holder, environment, leaseExpiresAt);
  }
}
