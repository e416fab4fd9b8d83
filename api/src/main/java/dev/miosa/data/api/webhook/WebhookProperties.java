package dev.miosa.data.api.webhook;

import java.time.Duration;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhook delivery settings, bound from {@code miosa.webhook.*} (environment: {@code
 * MIOSA_WEBHOOK_*}).
 *
 * @param allowedTargets non-public address kinds deliveries may reach ({@code loopback}, {@code
 *     private}, {@code link-local}, {@code unspecified}, {@code multicast}, {@code reserved});
 *     unset: {@code loopback} for the embedded default, none when {@code MIOSA_DATABASE_URL} is set
 * @param timeout longest one delivery attempt may take, connecting and reading the answer included
 * @param backoffBase wait after the first failed attempt, doubling with each further one
 * @param backoffMax longest wait between attempts
 * @param retryFor how long after the event a delivery is retried before it ends {@code failed}
 * @param pollInterval fallback poll of due deliveries (an event committed on this replica wakes the
 *     worker at once)
 * @param concurrency deliveries sent at once per replica
 * @param perEndpoint deliveries sent at once to one endpoint per replica
 * @param retention how long delivered and failed deliveries (and their events) are kept
 */
@ConfigurationProperties("miosa.webhook")
public record WebhookProperties(
    Set<TargetPolicy.Kind> allowedTargets,
    @DefaultValue("15s") Duration timeout,
    @DefaultValue("5s") Duration backoffBase,
    @DefaultValue("1h") Duration backoffMax,
    @DefaultValue("24h") Duration retryFor,
    @DefaultValue("1s") Duration pollInterval,
    @DefaultValue("64") int concurrency,
    @DefaultValue("4") int perEndpoint,
    @DefaultValue("30d") Duration retention) {

  /** Checks the settings; a bad one fails the start saying what to set. */
  public WebhookProperties {
    requirePositive("MIOSA_WEBHOOK_TIMEOUT", timeout);
    requirePositive("MIOSA_WEBHOOK_BACKOFF_BASE", backoffBase);
    requirePositive("MIOSA_WEBHOOK_BACKOFF_MAX", backoffMax);
    requirePositive("MIOSA_WEBHOOK_POLL_INTERVAL", pollInterval);
    requirePositive("MIOSA_WEBHOOK_RETENTION", retention);
    if (retryFor == null || retryFor.isNegative()) {
      throw new IllegalStateException("MIOSA_WEBHOOK_RETRY_FOR must be a duration such as 24h");
    }
    if (concurrency < 1 || perEndpoint < 1) {
      throw new IllegalStateException(
          "MIOSA_WEBHOOK_CONCURRENCY and MIOSA_WEBHOOK_PER_ENDPOINT must be at least 1");
    }
  }

  private static void requirePositive(String name, Duration d) {
    if (d == null || d.isNegative() || d.isZero()) {
      throw new IllegalStateException(name + " must be a positive duration such as 10s");
    }
  }

  /** The lease of a claimed delivery: longer than an attempt can take, so two never overlap. */
  public Duration lease() {
    return timeout.multipliedBy(2).plusSeconds(10);
  }

  /**
   * The wait after a failed attempt.
   *
   * @param attempts attempts made so far (at least 1)
   */
  public Duration backoffAfter(int attempts) {
    Duration d = backoffBase;
    for (int i = 1; i < attempts && d.compareTo(backoffMax) < 0; i++) {
      d = d.multipliedBy(2);
    }
    return d.compareTo(backoffMax) > 0 ? backoffMax : d;
  }
}
