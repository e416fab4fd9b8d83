package dev.miosa.data.api.webhook;

import java.io.IOException;
import java.time.Duration;

/**
 * How a failed delivery attempt is told and retried: the wait before the next attempt (backoff with
 * jitter, or the receiver's {@code Retry-After}), and a short reason that never echoes the target's
 * own text.
 */
final class DeliveryFailures {

  private DeliveryFailures() {}

  /** A {@code Retry-After} given in seconds, or null (an HTTP date or garbage is ignored). */
  static Duration retryAfter(String header) {
    if (header == null || !header.trim().matches("[0-9]{1,9}")) {
      return null;
    }
    return Duration.ofSeconds(Long.parseLong(header.trim()));
  }

  /**
   * The wait before the next attempt: the growing, capped backoff with up to 20 % random jitter
   * either way (so retries of many deliveries spread out), or the receiver's {@code Retry-After}
   * when that is longer, never beyond {@code backoffMax}.
   *
   * @param attempts attempts made so far
   * @param retryAfter what the receiver asked for, or null
   * @param random a number in [0, 1)
   */
  static Duration delayAfter(
      WebhookProperties settings, int attempts, Duration retryAfter, double random) {
    Duration base = settings.backoffAfter(attempts);
    Duration d = Duration.ofMillis((long) (base.toMillis() * (0.8 + 0.4 * random)));
    if (retryAfter != null && retryAfter.compareTo(d) > 0) {
      d = retryAfter;
    }
    return d.compareTo(settings.backoffMax()) > 0 ? settings.backoffMax() : d;
  }

  /** The target refusal among an error's causes and suppressed errors, or null. */
  static Throwable refusalIn(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof GuardedSocketFactory.RefusedTargetException) {
        return t;
      }
      for (Throwable s : t.getSuppressed()) {
        if (s instanceof GuardedSocketFactory.RefusedTargetException) {
          return s;
        }
      }
    }
    return null;
  }

  /** A short reason without the target's own text (which could echo anything back). */
  static String describe(IOException e) {
    String kind = e.getClass().getSimpleName();
    if (e instanceof java.io.InterruptedIOException) {
      return "timed out";
    }
    if (e instanceof java.net.ConnectException) {
      return "connection refused";
    }
    if (e instanceof java.net.UnknownHostException) {
      return "host not found";
    }
    return "request failed (" + kind + ")";
  }
}
