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
   * @param state {@code active | deleting}
   * @param createdAt creation time
   */
  public record EnvironmentView(String id, String name, String state, Instant createdAt) {
    /** The view of an environment. */
    public static EnvironmentView of(Environment e) {
      return new EnvironmentView(e.id(), e.name(), e.state(), e.createdAt());
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
