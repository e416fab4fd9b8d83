package dev.miosa.data.api.backup;

import jakarta.validation.constraints.NotNull;

/** Bodies of the backup endpoints, one record per operation. */
public final class BackupRequests {

  private BackupRequests() {}

  /**
   * Body of {@code POST .../backups}.
   *
   * @param environment the environment whose database to back up
   */
  public record Take(@NotNull(message = "is required") String environment) {}

  /**
   * Body of {@code POST .../backups/{backupId}/restore}.
   *
   * @param environment the environment whose database is replaced
   * @param confirm the environment's name again
   */
  public record Restore(@NotNull(message = "is required") String environment, String confirm) {}
}
