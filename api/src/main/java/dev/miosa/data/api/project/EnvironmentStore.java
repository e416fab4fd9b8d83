package dev.miosa.data.api.project;

import dev.miosa.data.api.service.DataServices;
import dev.miosa.data.api.service.SoftDeletion;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** Environments in the control-plane store. */
@Repository
public class EnvironmentStore {

  private final JdbcClient jdbc;

  EnvironmentStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Inserts an active environment.
   *
   * @return the new environment, or empty when a live one of that name exists
   */
  public Optional<Environment> insert(String projectId, String name) {
    return jdbc.sql(
            """
            INSERT INTO environments (id, project_id, name) VALUES (:id, :project, :name)
            ON CONFLICT (project_id, name) WHERE state = 'active' DO NOTHING
            RETURNING id, project_id, name, state, created_at, purge_at
            """)
        .param("id", Ids.newId("env"))
        .param("project", projectId)
        .param("name", name)
        .query(Environment.class)
        .optional();
  }

  /**
   * The environments of a project that are not purged (active, soft-deleted or being purged),
   * oldest first.
   */
  public List<Environment> live(String projectId) {
    return jdbc.sql(
            "SELECT id, project_id, name, state, created_at, purge_at FROM environments WHERE project_id = :p AND state <> 'deleted' ORDER BY created_at, name")
        .param("p", projectId)
        .query(Environment.class)
        .list();
  }

  /** The active environments of a project. */
  public List<Environment> active(String projectId) {
    return live(projectId).stream().filter(e -> "active".equals(e.state())).toList();
  }

  /** The active environment of that name. */
  public Optional<Environment> find(String projectId, String name) {
    if (name == null || !DataServices.NAME.matcher(name).matches()) {
      // No such name can exist; never hand the database a NUL or an invalid string.
      return Optional.empty();
    }
    return jdbc.sql(
            "SELECT id, project_id, name, state, created_at, purge_at FROM environments WHERE project_id = :p AND name = :n AND state = 'active'")
        .param("p", projectId)
        .param("n", name)
        .query(Environment.class)
        .optional();
  }

  /**
   * The active environment of that name in a project, for routes that name one in their path.
   *
   * @param project the project
   * @param name the environment's name as sent
   * @return the environment
   * @throws MiosaException 404 {@code ENVIRONMENT_NOT_FOUND} when the project has no active one
   */
  public Environment require(Project project, String name) {
    return find(project.id(), name)
        .orElseThrow(
            () ->
                new MiosaException(
                    ErrorCode.ENVIRONMENT_NOT_FOUND,
                    "no environment '"
                        + ProjectService.printable(name)
                        + "' in "
                        + project.slug()));
  }

  /** An environment by id, in any state. */
  public Optional<Environment> byId(String id) {
    return jdbc.sql(
            "SELECT id, project_id, name, state, created_at, purge_at FROM environments WHERE id = :id")
        .param("id", id)
        .query(Environment.class)
        .optional();
  }

  /**
   * Soft-deletes an active environment: {@code disabled} until {@code now() + retention}.
   *
   * @return whether it was active
   */
  public boolean markDisabled(String id, java.time.Duration retention) {
    return SoftDeletion.markDisabled(jdbc, SoftDeletion.Table.ENVIRONMENTS, id, retention);
  }

  /**
   * Brings a soft-deleted environment back to {@code active}.
   *
   * @return whether it was disabled
   * @throws org.springframework.dao.DuplicateKeyException when an active one holds its name
   */
  public boolean markActive(String id) {
    return SoftDeletion.markActive(jdbc, SoftDeletion.Table.ENVIRONMENTS, id);
  }

  /**
   * Soft-deleted environments whose window has closed, locked for this transaction ({@code FOR
   * UPDATE SKIP LOCKED}: a row another replica holds is skipped).
   *
   * @param limit at most this many
   */
  public List<Environment> lockPurgeDue(int limit) {
    return jdbc.sql(
            """
            SELECT id, project_id, name, state, created_at, purge_at FROM environments
            WHERE state = 'disabled' AND purge_at <= now()
            ORDER BY purge_at LIMIT :limit FOR UPDATE SKIP LOCKED
            """)
        .param("limit", limit)
        .query(Environment.class)
        .list();
  }

  /**
   * Moves an environment from one state to another, if it is in the first.
   *
   * @return whether it moved
   */
  public boolean moveState(String id, String from, String to) {
    return jdbc.sql("UPDATE environments SET state = :to WHERE id = :id AND state = :from")
            .param("id", id)
            .param("from", from)
            .param("to", to)
            .update()
        == 1;
  }

  /** Sets an environment's state. */
  public void setState(String id, String state) {
    jdbc.sql("UPDATE environments SET state = :s WHERE id = :id")
        .param("id", id)
        .param("s", state)
        .update();
  }
}
