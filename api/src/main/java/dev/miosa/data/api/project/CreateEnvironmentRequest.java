package dev.miosa.data.api.project;

import dev.miosa.data.api.service.DataServices;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * Body of {@code POST /v1/projects/{project}/environments}.
 *
 * @param name the environment's name ({@link DataServices#NAME_REGEX}), e.g. {@code preview-42}
 */
public record CreateEnvironmentRequest(
    @NotNull(message = "is required")
        @Pattern(regexp = DataServices.NAME_REGEX, message = DataServices.NAME_RULE)
        String name) {}
