package dev.miosa.data.api.project;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * Body of {@code POST /v1/projects}.
 *
 * @param slug the unique slug ({@link ProjectService#SLUG_REGEX})
 * @param name a display name; the slug when omitted
 */
public record CreateProjectRequest(
    @NotNull(message = "is required")
        @Pattern(
            regexp = ProjectService.SLUG_REGEX,
            message =
                "must be 3 to 40 characters: lowercase letters, digits and dashes, starting with a"
                    + " letter and not ending with a dash")
        String slug,
    @Pattern(regexp = "^[^\\p{Cntrl}]{1,200}$", message = "must be 1 to 200 printable characters")
        String name) {}
