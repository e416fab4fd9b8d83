package dev.miosa.data.api.project;

import java.time.Instant;

/**
 * An environment of a project.
 *
 * @param id opaque id ({@code env_...})
 * @param projectId its project
 * @param name {@code production}, {@code staging}, {@code preview-42}
 * @param state {@code active | deleting | deleted}
 * @param createdAt creation time
 */
public record Environment(
    String id, String projectId, String name, String state, Instant createdAt) {}
