package dev.miosa.data.storage;

import java.util.Optional;

/** Finds the bucket behind a {@code STORAGE_URL}. */
@FunctionalInterface
public interface StorageTargets {

  /**
   * The ready, wanted storage resource of that id.
   *
   * @param resourceId the id from the URL (not yet checked to be one)
   * @return the target, or empty when there is no such ready storage resource
   */
  Optional<StorageTarget> find(String resourceId);
}
