package dev.miosa.data.api.service;

import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.project.ProjectViews.ProjectView;
import dev.miosa.data.api.runtime.RuntimeTokenService;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Deleting a project with its data services (issue 15): the project is hidden ({@code 404}, its
 * runtime tokens refused) and every active data service of it is soft-deleted at the same instant,
 * so that undeleting the project undeletes exactly those; data services deleted before keep their
 * own fate. The data services are purged at their {@code purgeAt} (the project's), and the project
 * row once they all are. A project without data services is deleted at once, as before.
 */
@Service
public class ProjectDeletion {

  private static final Logger log = LoggerFactory.getLogger(ProjectDeletion.class);

  private final ProjectService projects;
  private final DataServiceStore services;
  private final ServiceDeletion serviceDeletion;
  private final DeletionProperties settings;
  private final JdbcClient jdbc;
  private final RuntimeTokenService runtimeTokens;

  ProjectDeletion(
      ProjectService projects,
      DataServiceStore services,
      ServiceDeletion serviceDeletion,
      DeletionProperties settings,
      JdbcClient jdbc,
      RuntimeTokenService runtimeTokens) {
    this.projects = projects;
    this.services = services;
    this.serviceDeletion = serviceDeletion;
    this.settings = settings;
    this.jdbc = jdbc;
    this.runtimeTokens = runtimeTokens;
  }

  /**
   * The answer to deleting (or purging) a project that has data services.
   *
   * @param id the project's id (undelete it by id or slug)
   * @param slug its slug, taken until it is purged
   * @param purgeAt when it and its data services are purged
   * @param operationIds the operations disabling (or purging) its data services
   */
  public record ProjectDeleted(
      String id, String slug, Instant purgeAt, List<String> operationIds) {}

  /**
   * The answer to undeleting a project.
   *
   * @param project the project
   * @param operationIds the operations enabling its data services again
   */
  public record ProjectUndeleted(ProjectView project, List<String> operationIds) {}

  /**
   * Deletes a project: at once when it has no data service left (answers null); with its data
   * services, soft, when {@code confirm} repeats its slug; {@code purge} purges a deleted one now.
   *
   * @param idOrSlug the project
   * @param confirm its slug, needed when it has data services
   * @param force detach attached volumes of its data services
   * @param purge purge a deleted project's data services now
   * @return null when the project was deleted at once, else what was started
   * @throws MiosaException 409 {@code PROJECT_HAS_SERVICES} without {@code confirm} while it has
   *     data services; 400 {@code CONFIRMATION_REQUIRED} for a wrong one; 409 from a guard
   */
  @Transactional
  public ProjectDeleted delete(String idOrSlug, String confirm, boolean force, boolean purge) {
    if (purge) {
      return purge(idOrSlug, confirm);
    }
    Project p = projects.find(idOrSlug);
    services.lockProject(p.id());
    List<DataService> active = services.active(p.id());
    if (active.isEmpty() || confirm == null) {
      projects.delete(p.id()); // 409 PROJECT_HAS_SERVICES while any is not purged
      return null;
    }
    requireConfirmation(p, confirm);
    jdbc.sql(
            "UPDATE projects SET deleted_at = now(), purge_at = now() + make_interval(secs => :secs)"
                + " WHERE id = :id")
        .param("id", p.id())
        .param("secs", (double) settings.retention().toMillis() / 1000.0)
        .update();
    List<String> ops = new ArrayList<>();
    for (DataService s : active) {
      ops.add(serviceDeletion.delete(p, s.id(), s.name(), force, false).operationId());
    }
    AfterCommit.run(runtimeTokens::invalidateAll); // its tokens are refused from now
    log.info("project {} deleted with {} data service(s)", p.id(), active.size());
    return new ProjectDeleted(p.id(), p.slug(), purgeAt(p.id()), ops);
  }

  private ProjectDeleted purge(String idOrSlug, String confirm) {
    Project p = projects.findIncludingDeleted(idOrSlug);
    services.lockProject(p.id());
    requireDeleted(p);
    requireConfirmation(p, confirm);
    jdbc.sql("UPDATE projects SET purge_at = least(purge_at, now()) WHERE id = :id")
        .param("id", p.id())
        .update();
    List<String> ops = new ArrayList<>();
    for (DataService s : services.deleted(p.id())) {
      if ("disabled".equals(s.state())) {
        ops.add(serviceDeletion.delete(p, s.id(), s.name(), false, true).operationId());
      }
    }
    return new ProjectDeleted(p.id(), p.slug(), purgeAt(p.id()), ops);
  }

  /**
   * Undeletes a deleted project within its window, with the data services its deletion deleted.
   *
   * @throws MiosaException 404 {@code PROJECT_NOT_FOUND}; 409 {@code NOT_DELETED}, {@code
   *     ALREADY_PURGED}
   */
  @Transactional
  public ProjectUndeleted undelete(String idOrSlug) {
    Project p = projects.findIncludingDeleted(idOrSlug);
    services.lockProject(p.id());
    requireDeleted(p);
    Instant purgeAt = purgeAt(p.id());
    if (!purgeAt.isAfter(Instant.now())) {
      throw new MiosaException(
          ErrorCode.ALREADY_PURGED,
          "project " + p.id() + " was purged: its retention window closed at " + purgeAt);
    }
    List<String> withIt =
        jdbc.sql(
                """
                SELECT s.id FROM data_services s JOIN projects p ON p.id = s.project_id
                WHERE p.id = :id AND s.state = 'disabled' AND s.deleted_at = p.deleted_at
                ORDER BY s.created_at, s.id
                """)
            .param("id", p.id())
            .query(String.class)
            .list();
    jdbc.sql("UPDATE projects SET deleted_at = NULL, purge_at = NULL WHERE id = :id")
        .param("id", p.id())
        .update();
    List<String> ops = new ArrayList<>();
    for (String id : withIt) {
      ops.add(serviceDeletion.undelete(p, id).operationId());
    }
    AfterCommit.run(runtimeTokens::invalidateAll); // its tokens work again
    log.info("project {} undeleted with {} data service(s)", p.id(), withIt.size());
    return new ProjectUndeleted(projects.view(p), ops);
  }

  /**
   * Removes the rows of deleted projects whose window closed and whose data services are all purged
   * (their environments, tokens and data service rows go with them).
   *
   * @return how many projects were removed
   */
  @Transactional
  public int removePurged() {
    return jdbc.sql(
            """
            DELETE FROM projects p WHERE p.deleted_at IS NOT NULL AND p.purge_at <= now()
              AND NOT EXISTS (SELECT 1 FROM data_services s
                              WHERE s.project_id = p.id AND s.state <> 'deleted')
            """)
        .update();
  }

  private void requireDeleted(Project p) {
    if (!projects.isDeleted(p.id())) {
      throw new MiosaException(
          ErrorCode.NOT_DELETED,
          "project " + p.id() + " is not deleted; delete it first (without purge)");
    }
  }

  private static void requireConfirmation(Project p, String confirm) {
    if (!p.slug().equals(confirm)) {
      throw new MiosaException(
          ErrorCode.CONFIRMATION_REQUIRED,
          "deleting a project stops its data services and, after the retention window, purges"
              + " their data; repeat its slug in ?confirm="
              + p.slug(),
          List.of(new FieldError("confirm", "must equal the project's slug")));
    }
  }

  private Instant purgeAt(String projectId) {
    return jdbc.sql("SELECT purge_at FROM projects WHERE id = :id")
        .param("id", projectId)
        .query(java.sql.Timestamp.class)
        .single()
        .toInstant();
  }
}
