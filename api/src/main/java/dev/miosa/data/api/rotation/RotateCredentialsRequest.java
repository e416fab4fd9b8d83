package dev.miosa.data.api.rotation;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Body of {@code POST /v1/projects/{project}/services/{service}/credentials/rotate}.
 *
 * @param environment the environment whose credentials rotate
 * @param graceSeconds how long the previous credentials keep working after the new ones are handed
 *     out: 0 (revoked as soon as the new ones are ready) to 604800 (7 days); 3600 when omitted
 */
public record RotateCredentialsRequest(
    @NotNull(message = "is required") String environment,
    @Min(value = 0, message = "must be between 0 and 604800")
        @Max(value = MAX_GRACE_SECONDS, message = "must be between 0 and 604800")
        Integer graceSeconds) {

  /** The longest grace: 7 days. */
  public static final int MAX_GRACE_SECONDS = 604_800;

  /** The grace when none is given: one hour. */
  public static final int DEFAULT_GRACE_SECONDS = 3600;

  /** The grace, {@link #DEFAULT_GRACE_SECONDS} when omitted. */
  public int graceOrDefault() {
    return graceSeconds == null ? DEFAULT_GRACE_SECONDS : graceSeconds;
  }
}
