package dev.miosa.data.api.webhook;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.WakeSignal;
import java.io.IOException;
import java.net.Proxy;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.task.SimpleAsyncTaskExecutor;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Sends due webhook deliveries. Deliveries are claimed with {@code FOR UPDATE SKIP LOCKED} and a
 * lease longer than an attempt can take (the HTTP call has a hard deadline), so workers on any
 * number of replicas never send one delivery at the same time; a worker that dies leaves its claim
 * to lapse and another sends it again (at least once). Each attempt is signed afresh (Standard
 * Webhooks), runs on its own virtual thread (platform threads before JDK 21) with a timeout, and at
 * most {@code perEndpoint} attempts to one endpoint run at once here, so a slow or hanging target
 * holds up only its own deliveries. A failed attempt is retried after a growing, capped backoff
 * (with jitter; a longer {@code Retry-After} in seconds is honoured) until the delivery is older
 * than {@code retryFor}, then it ends {@code failed}; a {@code 410 Gone} ends it at once. Redirects
 * are not followed: a 3xx answer is a failed attempt.
 */
public final class DeliveryWorker implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
  private static final MediaType JSON = MediaType.get("application/json");
  private static final int MAX_CLAIM = 16;

  /** A claimed delivery with what sending it needs. */
  record Claimed(
      String id,
      String eventId,
      String endpointId,
      int attempts,
      String payload,
      String url,
      String secret) {}

  /**
   * What one attempt came to.
   *
   * @param status the answer's HTTP status, or null when there was none
   * @param error why it failed, or null when it succeeded (2xx)
   */
  record Outcome(Integer status, String error, Duration retryAfter) {
    Outcome(Integer status, String error) {
      this(status, error, null);
    }

    boolean delivered() {
      return error == null;
    }

    /** {@code 410 Gone}: the receiver wants no more; the delivery ends at once. */
    boolean gone() {
      return status != null && status == 410;
    }
  }

  /** Told of final outcomes, for metrics. */
  public interface Counters {
    /** Tells nothing. */
    Counters NONE = new Counters() {};

    /** A delivery was delivered. */
    default void delivered() {}

    /** A delivery failed for good. */
    default void failed() {}
  }

  private final JdbcClient jdbc;
  private final SecretCipher cipher;
  private final WebhookProperties settings;
  private final Counters counters;
  private final OkHttpClient http;
  private final String owner = Ids.newId("whw");
  private final Semaphore slots;
  private final Map<String, AtomicInteger> perEndpoint = new ConcurrentHashMap<>();
  private final SimpleAsyncTaskExecutor senders = new SimpleAsyncTaskExecutor("miosa-webhook-");
  private final WakeSignal wake = new WakeSignal();
  private volatile boolean running;
  private Thread poller;

  /**
   * @param jdbc the control-plane store
   * @param cipher decrypts the endpoints' signing secrets
   * @param policy which addresses may be connected to
   * @param settings timeouts, backoff, concurrency
   * @param counters told of delivered and finally failed deliveries
   */
  public DeliveryWorker(
      JdbcClient jdbc,
      SecretCipher cipher,
      TargetPolicy policy,
      WebhookProperties settings,
      Counters counters) {
    this.jdbc = jdbc;
    this.cipher = cipher;
    this.settings = settings;
    this.counters = counters;
    this.slots = new Semaphore(settings.concurrency());
    if (Runtime.version().feature() >= 21) {
      senders.setVirtualThreads(true);
    }
    senders.setDaemon(true);
    this.http =
        new OkHttpClient.Builder()
            .followRedirects(false)
            .followSslRedirects(false)
            .retryOnConnectionFailure(false)
            .proxy(Proxy.NO_PROXY) // connect to the target itself, so its address is checked
            .socketFactory(new GuardedSocketFactory(policy))
            .connectTimeout(settings.timeout())
            .readTimeout(settings.timeout())
            .writeTimeout(settings.timeout())
            .callTimeout(settings.timeout())
            .build();
  }

  /** Starts polling. */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    poller = new Thread(this::pollLoop, "miosa-webhook-poller");
    poller.setDaemon(true);
    poller.start();
  }

  /** Asks the poller to look for due deliveries now; remembered if it is busy. */
  public void wakeUp() {
    wake.signal();
  }

  private void pollLoop() {
    while (running) {
      try {
        wake.clear();
        int claimed = slots.availablePermits() == 0 ? 0 : claimAndSend();
        if (claimed == 0) {
          wake.await(settings.pollInterval());
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("webhook delivery poll failed: {}", e.toString());
        try {
          Thread.sleep(settings.pollInterval().toMillis() * 4);
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** Claims due deliveries and starts sending them; the number started. */
  int claimAndSend() {
    List<Claimed> claimed = claim(Math.min(slots.availablePermits(), MAX_CLAIM));
    int started = 0;
    for (Claimed c : claimed) {
      AtomicInteger busy = perEndpoint.computeIfAbsent(c.endpointId(), k -> new AtomicInteger());
      if (busy.get() >= settings.perEndpoint() || !slots.tryAcquire()) {
        release(c);
        continue;
      }
      busy.incrementAndGet();
      started++;
      senders.execute(
          () -> {
            try {
              record(c, attempt(c));
            } catch (RuntimeException e) {
              log.warn("webhook delivery {} could not be recorded: {}", c.id(), e.toString());
            } finally {
              busy.decrementAndGet();
              slots.release();
              wakeUp();
            }
          });
    }
    return started;
  }

  private List<Claimed> claim(int n) {
    if (n <= 0) {
      return List.of();
    }
    String busy =
        String.join(
            ",",
            perEndpoint.entrySet().stream()
                .filter(e -> e.getValue().get() >= settings.perEndpoint())
                .map(Map.Entry::getKey)
                .toList());
    return jdbc.sql(
            """
            UPDATE webhook_deliveries d SET state = 'sending', lease_owner = :owner,
                   next_attempt_at = now() + make_interval(secs => :lease), attempts = d.attempts + 1
            FROM webhook_events e, webhook_endpoints p
            WHERE e.id = d.event_id AND p.id = d.endpoint_id AND d.id IN (
                SELECT x.id FROM webhook_deliveries x
                WHERE x.state IN ('pending', 'sending') AND x.next_attempt_at <= now()
                  AND NOT (x.endpoint_id = ANY (string_to_array(:busy, ',')))
                ORDER BY x.next_attempt_at
                LIMIT :n
                FOR UPDATE SKIP LOCKED)
            RETURNING d.id, d.event_id, d.endpoint_id, d.attempts, e.payload, p.url, p.secret
            """)
        .param("owner", owner)
        .param("lease", seconds(settings.lease()))
        .param("busy", busy)
        .param("n", n)
        .query(
            (rs, i) ->
                new Claimed(
                    rs.getString("id"),
                    rs.getString("event_id"),
                    rs.getString("endpoint_id"),
                    rs.getInt("attempts"),
                    rs.getString("payload"),
                    rs.getString("url"),
                    rs.getString("secret")))
        .list();
  }

  /** Gives a claimed delivery back untried (its endpoint is busy here). */
  private void release(Claimed c) {
    jdbc.sql(
            """
            UPDATE webhook_deliveries SET state = 'pending', lease_owner = NULL,
                   attempts = attempts - 1, next_attempt_at = now()
            WHERE id = :id AND lease_owner = :owner AND state = 'sending'
            """)
        .param("id", c.id())
        .param("owner", owner)
        .update();
  }

  /**
   * Sends one signed attempt of a delivery.
   *
   * @return its outcome; never throws
   */
  Outcome attempt(Claimed c) {
    byte[] body = c.payload().getBytes(StandardCharsets.UTF_8);
    long timestamp = Instant.now().getEpochSecond();
    Request request;
    try {
      String signature =
          WebhookSignature.sign(
              cipher.decrypt(c.secret(), Webhooks.secretContext(c.endpointId())),
              c.eventId(),
              timestamp,
              body);
      request =
          new Request.Builder()
              .url(c.url())
              .post(RequestBody.create(body, JSON))
              .header("webhook-id", c.eventId())
              .header("webhook-timestamp", Long.toString(timestamp))
              .header("webhook-signature", signature)
              .header("User-Agent", "miosa-webhooks/1")
              .build();
    } catch (IllegalArgumentException e) {
      return new Outcome(null, "the webhook URL is not usable");
    }
    try (Response response = http.newCall(request).execute()) {
      int status = response.code();
      if (status >= 200 && status < 300) {
        return new Outcome(status, null);
      }
      if (status >= 300 && status < 400) {
        return new Outcome(status, "HTTP " + status + ": redirects are not followed");
      }
      return new Outcome(
          status, "HTTP " + status, DeliveryFailures.retryAfter(response.header("Retry-After")));
    } catch (GuardedSocketFactory.RefusedTargetException e) {
      return new Outcome(null, "refused: " + e.getMessage());
    } catch (IOException e) {
      Throwable refused = DeliveryFailures.refusalIn(e);
      if (refused != null) {
        return new Outcome(null, "refused: " + refused.getMessage());
      }
      return new Outcome(null, DeliveryFailures.describe(e));
    }
  }

  /** Writes an attempt's outcome, if this worker still holds the delivery. */
  private void record(Claimed c, Outcome o) {
    Duration backoff =
        DeliveryFailures.delayAfter(
            settings,
            c.attempts(),
            o.retryAfter(),
            java.util.concurrent.ThreadLocalRandom.current().nextDouble());
    String state =
        jdbc.sql(
                """
                UPDATE webhook_deliveries SET
                       state = CASE WHEN :ok THEN 'delivered' WHEN :gone THEN 'failed'
                                    WHEN now() + make_interval(secs => :backoff)
                                         > created_at + make_interval(secs => :retryFor) THEN 'failed'
                                    ELSE 'pending' END,
                       finished_at = CASE WHEN :ok OR :gone OR now() + make_interval(secs => :backoff)
                                         > created_at + make_interval(secs => :retryFor) THEN now() END,
                       next_attempt_at = now() + make_interval(secs => :backoff),
                       lease_owner = NULL, last_status = :status, last_error = :error,
                       last_attempt_at = now()
                WHERE id = :id AND lease_owner = :owner AND state = 'sending'
                RETURNING state
                """)
            .param("ok", o.delivered())
            .param("gone", o.gone())
            .param("backoff", seconds(backoff))
            .param("retryFor", seconds(settings.retryFor()))
            .param("status", o.status())
            .param("error", o.error())
            .param("id", c.id())
            .param("owner", owner)
            .query(String.class)
            .optional()
            .orElse("lost");
    switch (state) {
      case "delivered" -> counters.delivered();
      case "failed" -> {
        counters.failed();
        log.warn("webhook delivery {} failed for good: {}", c.id(), o.error());
      }
      case "pending" ->
          log.info(
              "webhook delivery {} attempt {} failed ({}); retried in {}",
              c.id(),
              c.attempts(),
              o.error(),
              backoff);
      default -> log.warn("webhook delivery {}: lease lost before its outcome was written", c.id());
    }
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }

  /** Stops polling; deliveries being sent finish or their leases lapse. */
  @Override
  public void close() {
    running = false;
    if (poller != null) {
      poller.interrupt();
    }
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
    try {
      slots.tryAcquire(settings.concurrency(), 5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
