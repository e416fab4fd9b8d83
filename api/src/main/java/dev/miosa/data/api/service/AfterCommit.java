package dev.miosa.data.api.service;

import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/** Runs work after the current transaction commits (at once when none is active). */
final class AfterCommit {

  private AfterCommit() {}

  /**
   * Runs {@code r} after commit; never on rollback.
   *
   * @param r the work (cache invalidation, waking the worker)
   */
  static void run(Runnable r) {
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              r.run();
            }
          });
    } else {
      r.run();
    }
  }
}
