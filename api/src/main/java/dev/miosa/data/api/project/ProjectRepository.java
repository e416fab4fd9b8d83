package dev.miosa.data.api.project;

import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code projects} table, read into {@link Project} records by column name. */
@Repository
public class ProjectRepository {

  private static final String COLUMNS = "id, slug, name, created_at";

  private final JdbcClient jdbc;

  ProjectRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Inserts a project.
   *
   * @throws org.springframework.dao.DuplicateKeyException when its id or slug is taken
   */
  public void insert(Project p) {
    jdbc.sql(
            "INSERT INTO projects (id, slug, name, created_at) VALUES (:id, :slug, :name, :createdAt)")
        .param("id", p.id())
        .param("slug", p.slug())
        .param("name", p.name())
        .param("createdAt", Timestamp.from(p.createdAt()))
        .update();
  }

  /** Finds a project by id. */
  public Optional<Project> findById(String id) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM projects WHERE id = :id")
        .param("id", id)
        .query(Project.class)
        .optional();
  }

  /** Finds a project by slug. */
  public Optional<Project> findBySlug(String slug) {
    return jdbc.sql("SELECT " + COLUMNS + " FROM projects WHERE slug = :slug")
        .param("slug", slug)
        .query(Project.class)
        .optional();
  }

  /**
   * A page of live (not deleted) projects ordered by (createdAt, id), after the given position
   * (null: first).
   */
  public List<Project> page(Timestamp afterAt, String afterId, int limit) {
    return jdbc.sql(
            "SELECT "
                + COLUMNS
                + """
                 FROM projects
                WHERE deleted_at IS NULL
                  AND (CAST(:afterAt AS timestamptz) IS NULL OR (created_at, id) > (CAST(:afterAt AS timestamptz), :afterId))
                ORDER BY created_at, id LIMIT :limit
                """)
        .param("afterAt", afterAt)
        .param("afterId", afterId)
        .param("limit", limit)
        .query(Project.class)
        .list();
  }

  /** Deletes a project row; a no-op when it is gone. */
  public void deleteById(String id) {
    jdbc.sql("DELETE FROM projects WHERE id = :id").param("id", id).update();
  }
}
