package dev.miosa.data.provisioner.event;

import java.util.List;

/** The event types webhook endpoints may subscribe to. Names are part of the API. */
public final class EventTypes {

  public static final String OPERATION_SUCCEEDED = "operation.succeeded";
  public static final String OPERATION_FAILED = "operation.failed";
  public static final String SERVICE_PHASE_CHANGED = "service.phase_changed";
  public static final String CREDENTIALS_ROTATED = "credentials.rotated";
  public static final String CREDENTIALS_REVOKED = "credentials.revoked";
  public static final String BACKUP_SUCCEEDED = "backup.succeeded";
  public static final String BACKUP_FAILED = "backup.failed";
  public static final String VOLUME_ATTACHED = "volume.attached";
  public static final String VOLUME_DETACHED = "volume.detached";

  /** Every type, in a stable order. */
  public static final List<String> ALL =
      List.of(
          OPERATION_SUCCEEDED,
          OPERATION_FAILED,
          SERVICE_PHASE_CHANGED,
          CREDENTIALS_ROTATED,
          CREDENTIALS_REVOKED,
          BACKUP_SUCCEEDED,
          BACKUP_FAILED,
          VOLUME_ATTACHED,
          VOLUME_DETACHED);

  private EventTypes() {}
}
