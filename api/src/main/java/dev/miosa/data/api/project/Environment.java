package dev.miosa.data.api.project;

import java.time.Instant;

/**
 * An environment of a project.
 *
 * @param id opaque id ({@code env_...})
 * @param projectId its project
 * @param name {@code production}, {@code staging}, {@code preview-42}
 * @param state {@code active | disabled | deleting | deleted}: {@code disabled} is soft-deleted
 *     (restorable until {@code purgeAt}), {@code deleting} is being purged
 * @param createdAt creation time
 * @param purgeAt when a soft-deleted one is purged, or null
 */
public record Environment(
    String id, String projectId, String name, String state, Instant createdAt, Instant purgeAt) {}
