package dev.miosa.data.api.project;

import java.time.Instant;
import java.util.List;

/** JSON shapes of projects and environments. */
public final class ProjectViews {

  private ProjectViews() {}

  /**
   * A project.
   *
   * @param id id
   * @param slug slug
   * @param name name
   * @param createdAt creation time
   * @param environments its live environments
   */
  public record ProjectView(
      String id, String slug, String name, Instant createdAt, List<EnvironmentView> environments) {}

  /**
   * An environment.
   *
   * @param id id
   * @param name name
   * @param state {@code active | deleted | deleting}: {@code deleted} is soft-deleted (undelete it
   *     by id until {@code purgeAt}), {@code deleting} is being purged
   * @param createdAt creation time
   * @param purgeAt when a deleted one is purged for good, absent while active
   */
  @com.fasterxml.jackson.annotation.JsonInclude(
      com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  public record EnvironmentView(
      String id, String name, String state, Instant createdAt, Instant purgeAt) {
    /** The view of an environment. */
    public static EnvironmentView of(Environment e) {
      String state = "disabled".equals(e.state()) ? "deleted" : e.state();
      return new EnvironmentView(e.id(), e.name(), state, e.createdAt(), e.purgeAt());
    }
  }

  /**
   * A page of items.
   *
   * @param items the items
   * @param nextCursor opaque cursor of the next page, or null on the last page
   * @param <T> item type
   */
  public record Page<T>(List<T> items, String nextCursor) {}
}
