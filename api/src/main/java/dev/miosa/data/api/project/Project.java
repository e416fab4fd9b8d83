package dev.miosa.data.api.project;

import java.time.Instant;

/**
 * A project: a tenant with a unique slug.
 *
 * @param id opaque id ({@code prj_...})
 * @param slug unique, {@code ^[a-z][a-z0-9-]{1,38}[a-z0-9]$}
 * @param name display name
 * @param createdAt creation time
 */
public record Project(String id, String slug, String name, Instant createdAt) {}
