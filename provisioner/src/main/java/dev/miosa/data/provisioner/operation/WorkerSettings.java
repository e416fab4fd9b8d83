package dev.miosa.data.provisioner.operation;

import java.time.Duration;

/**
 * Tuning of the operation worker.
 *
 * @param threads operations run at once by this replica (at least 1)
 * @param pollInterval wait between polls when the queue is empty
 * @param lease how long a claim holds without renewal; renewed every third of it
 * @param backoffBase delay after the first failed attempt; doubles per attempt
 * @param backoffMax largest delay between attempts
 * @param maxAttempts attempts before an operation ends {@code failed}
 */
public record WorkerSettings(
    int threads,
    Duration pollInterval,
    Duration lease,
    Duration backoffBase,
    Duration backoffMax,
    int maxAttempts) {

  /** Checks the values. */
  public WorkerSettings {
    if (threads < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException("threads and maxAttempts must be at least 1");
    }
    if (lease.toMillis() < 300) {
      throw new IllegalArgumentException("lease must be at least 300ms");
    }
  }

  /**
   * Sensible production defaults: 8 threads, 15 s lease, backoff 1 s doubling to 60 s, 8 attempts.
   */
  public static WorkerSettings defaults() {
    return new WorkerSettings(
        8,
        Duration.ofMillis(500),
        Duration.ofSeconds(15),
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        8);
  }

  /**
   * The delay before the next attempt.
   *
   * @param attempts attempts made so far (1 after the first failure)
   * @return {@code backoffBase * 2^(attempts-1)}, capped at {@code backoffMax}
   */
  public Duration backoffAfter(int attempts) {
    long factor = 1L << Math.min(Math.max(attempts - 1, 0), 20);
    Duration d = backoffBase.multipliedBy(factor);
    return d.compareTo(backoffMax) > 0 ? backoffMax : d;
  }
}
