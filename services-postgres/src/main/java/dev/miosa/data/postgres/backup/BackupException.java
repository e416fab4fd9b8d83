package dev.miosa.data.postgres.backup;

/** A backup request was refused. The message is shown to operators, so it never holds a secret. */
public class BackupException extends RuntimeException {

  /** Why. */
  public enum Reason {
    /** No backup of that id in the project. */
    BACKUP_NOT_FOUND,
    /** The backup has not succeeded, so it cannot be restored. */
    BACKUP_NOT_READY,
    /** The database is not ready (still provisioning, failed or being deleted). */
    RESOURCE_NOT_READY,
    /** This server has no object store or no PostgreSQL client tools for backups. */
    UNAVAILABLE
  }

  private final Reason reason;

  /**
   * @param reason why
   * @param message a human message without secrets
   */
  public BackupException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** Why. */
  public Reason reason() {
    return reason;
  }
}
