package dev.miosa.data.api.volume;

import jakarta.validation.constraints.NotNull;

/** Bodies of the volume endpoints, one record per operation. */
public final class VolumeRequests {

  private VolumeRequests() {}

  /**
   * Body of {@code POST .../attachments}.
   *
   * @param environment the environment whose volume to attach
   * @param instanceId the instance attaching it
   */
  public record Attach(
      @NotNull(message = "is required") String environment,
      @NotNull(message = "is required") String instanceId) {}

  /**
   * Body of {@code POST .../snapshots}.
   *
   * @param environment the environment whose volume to snapshot
   */
  public record Snapshot(@NotNull(message = "is required") String environment) {}

  /**
   * Body of {@code POST .../resize}.
   *
   * @param environment the environment whose volume to grow
   * @param sizeGiB the new size, larger than the current one
   */
  public record Resize(
      @NotNull(message = "is required") String environment,
      @NotNull(message = "is required") Integer sizeGiB) {}
}
