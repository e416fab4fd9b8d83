package dev.miosa.data.storage;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes content-addressed uploads that were never finalized: an upload to {@code
 * .uploads/<hash>/<random>} that no finalize read within {@code ttl} of being written (the uploader
 * gave up, or sent a body it never had checked) is removed from every live bucket, so unverified
 * bytes never stay. Run periodically by the application.
 */
public final class AbandonedUploads {

  private static final Logger log = LoggerFactory.getLogger(AbandonedUploads.class);

  /** Default window between an upload and its deletion when never finalized: 24 hours. */
  public static final Duration DEFAULT_TTL = Duration.ofHours(24);

  private final Supplier<List<StorageTarget>> targets;
  private final StorageBackends backends;
  private final ContentUploads content;
  private final Duration ttl;
  private final Clock clock;

  /**
   * @param targets the live storage resources
   * @param backends the object stores
   * @param content the content-addressed store
   * @param ttl how long an upload may wait for its finalize (positive)
   * @param clock the clock the cutoff is computed with
   */
  public AbandonedUploads(
      Supplier<List<StorageTarget>> targets,
      StorageBackends backends,
      ContentUploads content,
      Duration ttl,
      Clock clock) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("the abandoned-upload window must be positive");
    }
    this.targets = targets;
    this.backends = backends;
    this.content = content;
    this.ttl = ttl;
    this.clock = clock;
  }

  /**
   * Deletes, in every live bucket, the uploads written more than {@code ttl} ago and never
   * finalized. A bucket whose store fails is skipped until the next sweep.
   *
   * @return how many uploads were deleted
   */
  public int sweep() {
    var cutoff = clock.instant().minus(ttl);
    int deleted = 0;
    for (StorageTarget t : targets.get()) {
      try {
        deleted += content.deleteAbandoned(backends.get(t.backend()), t.bucket(), cutoff);
      } catch (RuntimeException e) {
        log.warn("abandoned uploads of {} not swept: {}", t.bucket(), e.getMessage());
      }
    }
    return deleted;
  }
}
