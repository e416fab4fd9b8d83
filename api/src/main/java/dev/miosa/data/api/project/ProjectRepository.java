package dev.miosa.data.api.project;

import java.util.List;
import java.util.Optional;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;
import org.springframework.data.repository.query.Param;

/** Spring Data JDBC repository of projects. */
public interface ProjectRepository extends ListCrudRepository<Project, String> {

  /** Finds a project by slug. */
  Optional<Project> findBySlug(String slug);

  /** A page of live (not deleted) projects ordered by (createdAt, id), after the given position. */
  @Query(
      """
      SELECT * FROM projects
      WHERE deleted_at IS NULL
        AND (CAST(:afterAt AS timestamptz) IS NULL OR (created_at, id) > (CAST(:afterAt AS timestamptz), :afterId))
      ORDER BY created_at, id LIMIT :limit
      """)
  List<Project> page(
      @Param("afterAt") java.sql.Timestamp afterAt,
      @Param("afterId") String afterId,
      @Param("limit") int limit);
}
