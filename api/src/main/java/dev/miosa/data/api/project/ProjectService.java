package dev.miosa.data.api.project;

import dev.miosa.data.api.project.ProjectViews.EnvironmentView;
import dev.miosa.data.api.project.ProjectViews.Page;
import dev.miosa.data.api.project.ProjectViews.ProjectView;
import dev.miosa.data.api.web.PageCursor;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Projects and their environments. */
@Service
public class ProjectService {

  /**
   * Slug rule of design.md: 3 to 40 characters, lowercase letters, digits and inner dashes, as a
   * regular expression (for Bean Validation).
   */
  public static final String SLUG_REGEX = "^[a-z][a-z0-9-]{1,38}[a-z0-9]$";

  /** {@link #SLUG_REGEX} compiled. */
  public static final Pattern SLUG = Pattern.compile(SLUG_REGEX);

  /** The environments every project starts with. */
  public static final List<String> DEFAULT_ENVIRONMENTS = List.of("production", "staging");

  private final ProjectRepository projects;
  private final EnvironmentStore environments;
  private final JdbcClient jdbc;

  ProjectService(ProjectRepository projects, EnvironmentStore environments, JdbcClient jdbc) {
    this.projects = projects;
    this.environments = environments;
    this.jdbc = jdbc;
  }

  /**
   * Creates a project with its {@code production} and {@code staging} environments.
   *
   * @throws MiosaException {@code PROJECT_SLUG_TAKEN} (409) when the slug is in use
   */
  @Transactional
  public ProjectView create(String slug, String name) {
    Project p =
        new Project(Ids.newId("prj"), slug, name, Instant.now().truncatedTo(ChronoUnit.MICROS));
    try {
      projects.insert(p);
    } catch (DuplicateKeyException e) {
      throw new MiosaException(
          ErrorCode.PROJECT_SLUG_TAKEN, "a project with slug '" + slug + "' exists");
    }
    for (String env : DEFAULT_ENVIRONMENTS) {
      environments.insert(p.id(), env);
    }
    return view(p);
  }

  /**
   * Finds a project by id or slug.
   *
   * @throws MiosaException {@code PROJECT_NOT_FOUND}
   */
  public Project find(String idOrSlug) {
    return findAny(idOrSlug)
        .filter(p -> !isDeleted(p.id()))
        .orElseThrow(
            () ->
                new MiosaException(
                    ErrorCode.PROJECT_NOT_FOUND, "no project '" + printable(idOrSlug) + "'"));
  }

  /**
   * Finds a project by id or slug, deleted ones too (to undelete or purge them).
   *
   * @throws MiosaException {@code PROJECT_NOT_FOUND}
   */
  public Project findIncludingDeleted(String idOrSlug) {
    return findAny(idOrSlug)
        .orElseThrow(
            () ->
                new MiosaException(
                    ErrorCode.PROJECT_NOT_FOUND, "no project '" + printable(idOrSlug) + "'"));
  }

  private java.util.Optional<Project> findAny(String idOrSlug) {
    return idOrSlug.startsWith("prj_")
        ? projects.findById(idOrSlug)
        : projects.findBySlug(idOrSlug);
  }

  /** Whether a project is soft-deleted (hidden until undeleted or purged). */
  public boolean isDeleted(String projectId) {
    return jdbc.sql("SELECT deleted_at IS NOT NULL FROM projects WHERE id = :id")
        .param("id", projectId)
        .query(Boolean.class)
        .optional()
        .orElse(false);
  }

  /** The JSON view of a project. */
  public ProjectView view(Project p) {
    return new ProjectView(
        p.id(),
        p.slug(),
        p.name(),
        p.createdAt(),
        environments.active(p.id()).stream().map(EnvironmentView::of).toList());
  }

  /**
   * A page of projects, oldest first.
   *
   * @param cursor the previous page's {@code nextCursor}, or null
   * @param limit page size, 1 to 100
   */
  public Page<ProjectView> list(String cursor, int limit) {
    PageCursor after = PageCursor.decode(cursor);
    List<Project> rows =
        projects.page(
            after == null ? null : Timestamp.from(after.at()),
            after == null ? null : after.id(),
            limit + 1);
    boolean more = rows.size() > limit;
    List<Project> page = more ? rows.subList(0, limit) : rows;
    String next = null;
    if (more) {
      Project last = page.get(page.size() - 1);
      next = new PageCursor(last.createdAt(), last.id()).encode();
    }
    return new Page<>(page.stream().map(this::view).toList(), next);
  }

  /**
   * Deletes a project that has no data services left: none active, none deleted and waiting for its
   * purge, none being purged (their data would otherwise outlive the rows that name it).
   *
   * @throws MiosaException {@code PROJECT_HAS_SERVICES} (409) while it has some
   */
  @Transactional
  public void delete(String idOrSlug) {
    Project p = find(idOrSlug);
    jdbc.sql("SELECT id FROM projects WHERE id = :id FOR UPDATE")
        .param("id", p.id())
        .query(String.class)
        .list();
    int live =
        jdbc.sql("SELECT count(*) FROM data_services WHERE project_id = :p AND state <> 'deleted'")
            .param("p", p.id())
            .query(Integer.class)
            .single();
    if (live > 0) {
      throw new MiosaException(
          ErrorCode.PROJECT_HAS_SERVICES,
          "the project still has "
              + live
              + " data service(s), active or deleted but not purged yet: repeat its slug in"
              + " ?confirm= to delete it with its active data services (undeletable within the"
              + " retention window), or purge them first");
    }
    projects.deleteById(p.id());
  }

  /** Makes user text safe to echo in an error (bounded, printable). */
  public static String printable(String s) {
    String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return t.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
