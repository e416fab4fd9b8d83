package dev.miosa.data.api.runtime;

import dev.miosa.data.volumes.VolumeAttachments;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.Pattern;

/**
 * Body of {@code POST /v1/projects/{project}/environments/{env}/runtime-tokens}; an absent body is
 * the same as {@code {}}.
 *
 * @param instanceId the one instance the token is for (it may then manage that instance's volume
 *     attachment), or null
 * @param ttlSeconds the token's lifetime: 60 seconds up to the configured maximum; the configured
 *     default when omitted
 */
public record MintRuntimeTokenRequest(
    @Pattern(
            regexp = VolumeAttachments.INSTANCE_ID_REGEX,
            message = "must be 1 to 128 characters of letters, digits, . _ -")
        String instanceId,
    @Min(value = 60, message = "must be at least 60") Long ttlSeconds) {

  /** The empty request: no instance, the default lifetime. */
  static final MintRuntimeTokenRequest EMPTY = new MintRuntimeTokenRequest(null, null);
}
