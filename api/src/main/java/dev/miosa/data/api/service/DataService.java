package dev.miosa.data.api.service;

import java.time.Instant;
import java.util.Map;

/**
 * A data service: a service type attached to a project under a name.
 *
 * @param id opaque id ({@code svc_...})
 * @param projectId its project
 * @param type {@code postgres | storage | redis | auth | volume}
 * @param name unique per project and type among active data services ({@code main} by default)
 * @param config validated plan/config
 * @param state {@code active | disabled | deleting | deleted}: {@code disabled} is soft-deleted
 *     (restorable until {@code purgeAt}), {@code deleting} is being purged
 * @param createdAt creation time
 * @param deletedAt when it was deleted, or null while active
 * @param purgeAt when a soft-deleted one is purged, or null
 */
public record DataService(
    String id,
    String projectId,
    String type,
    String name,
    Map<String, Object> config,
    String state,
    Instant createdAt,
    Instant deletedAt,
    Instant purgeAt) {}
