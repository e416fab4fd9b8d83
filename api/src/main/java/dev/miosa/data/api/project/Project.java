package dev.miosa.data.api.project;

import java.time.Instant;
import org.springframework.data.annotation.Id;
import org.springframework.data.relational.core.mapping.Table;

/**
 * A project: a tenant with a unique slug.
 *
 * @param id opaque id ({@code prj_...})
 * @param slug unique, {@code ^[a-z][a-z0-9-]{1,38}[a-z0-9]$}
 * @param name display name
 * @param createdAt creation time
 */
@Table("projects")
public record Project(@Id String id, String slug, String name, Instant createdAt) {}
