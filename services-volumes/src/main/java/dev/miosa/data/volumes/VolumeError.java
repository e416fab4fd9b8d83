package dev.miosa.data.volumes;

/**
 * Stable machine codes of volume errors. The api maps each {@link Kind} to an HTTP status ({@code
 * NOT_FOUND} 404, {@code CONFLICT} 409, {@code INVALID} 400) and puts the code in the RFC 9457
 * problem detail.
 */
public enum VolumeError {
  /** No volume (or data service, or environment) by that name. */
  VOLUME_NOT_FOUND(Kind.NOT_FOUND),
  /** The volume is still being provisioned, or is being deleted. */
  VOLUME_NOT_READY(Kind.CONFLICT),
  /** Another holder has the volume (an instance, or a resize/restore operation). */
  VOLUME_ATTACHED(Kind.CONFLICT),
  /** This instance never held the volume. */
  ATTACHMENT_NOT_FOUND(Kind.NOT_FOUND),
  /** This instance held the volume but no longer does (detached, forced, expired or taken over). */
  LEASE_LOST(Kind.CONFLICT),
  /** The instance holds volumes of several environments of the data service: name one. */
  AMBIGUOUS_INSTANCE(Kind.INVALID),
  /** An instance id that is not {@code [A-Za-z0-9][A-Za-z0-9._-]{0,127}}. */
  INVALID_INSTANCE_ID(Kind.INVALID),
  /** No snapshot by that id (on this data service). */
  SNAPSHOT_NOT_FOUND(Kind.NOT_FOUND),
  /** The snapshot is not finished yet. */
  SNAPSHOT_NOT_READY(Kind.CONFLICT);

  /** How a client should see the error. */
  public enum Kind {
    /** Something named does not exist. */
    NOT_FOUND,
    /** The request conflicts with the volume's current state. */
    CONFLICT,
    /** The request itself is malformed. */
    INVALID
  }

  private final Kind kind;

  VolumeError(Kind kind) {
    this.kind = kind;
  }

  /** How a client should see the error. */
  public Kind kind() {
    return kind;
  }
}
