package dev.miosa.data.postgres;

import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.MDC;

/** Work the provider runs beside the DDL (PgBouncer's rewrite): logging context and waiting. */
final class Async {

  private Async() {}

  /** The task with the caller's logging context (the operation id) on whichever thread runs it. */
  static Runnable withMdc(Runnable task) {
    Map<String, String> context = MDC.getCopyOfContextMap();
    return () -> {
      if (context != null) {
        MDC.setContextMap(context);
      }
      try {
        task.run();
      } finally {
        MDC.clear();
      }
    };
  }

  /** Waits for work started beside the DDL; its failure becomes this attempt's failure. */
  static void await(CompletableFuture<Void> work) {
    try {
      work.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException cause) {
        throw cause;
      }
      throw e;
    }
  }

  static void awaitQuietly(CompletableFuture<Void> work) {
    try {
      work.join();
    } catch (CompletionException | CancellationException e) {
      // the attempt already failed for another reason, which is the one reported
    }
  }
}
