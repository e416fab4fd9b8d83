package dev.miosa.data.auth.user;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.miosa.data.credentials.TokenHashes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * Counts failed logins per realm, canonical email and client address, in memory (Caffeine). After
 * {@code maxFailures} failures within {@code window} of the first one, every login attempt for that
 * key, right or wrong, is refused until the window ends. A success clears the count.
 *
 * <p>The key names the client address, so a stranger failing on purpose from elsewhere does not
 * lock the real user out. Counts are per api replica: with N replicas an attacker gets at most N
 * times the budget. The email part of a key is stored hashed.
 */
public final class LoginThrottle {

  private record Window(Instant start, int failures) {}

  private final int maxFailures;
  private final Duration window;
  private final Clock clock;
  private final Cache<String, Window> windows;

  /**
   * @param maxFailures failures that trigger the block
   * @param window how long failures are counted from the first one
   * @param clock the time source
   */
  public LoginThrottle(int maxFailures, Duration window, Clock clock) {
    this.maxFailures = maxFailures;
    this.window = window;
    this.clock = clock;
    this.windows =
        Caffeine.newBuilder()
            .expireAfterWrite(window)
            .ticker(() -> clock.millis() * 1_000_000L)
            .maximumSize(200_000)
            .build();
  }

  /**
   * The throttle key of a login attempt.
   *
   * @param realmId the realm
   * @param emailKey the canonical email
   * @param address the client address
   */
  public static String key(String realmId, String emailKey, String address) {
    return realmId + '\n' + TokenHashes.sha256Hex(emailKey) + '\n' + address;
  }

  /**
   * Whether attempts for this key are refused now.
   *
   * @return the whole seconds to wait, or empty when an attempt may proceed
   */
  public OptionalLong blockedFor(String key) {
    Window w = windows.getIfPresent(key);
    Instant now = clock.instant();
    if (w == null || w.failures < maxFailures) {
      return OptionalLong.empty();
    }
    Duration left = Duration.between(now, w.start.plus(window));
    if (left.isNegative() || left.isZero()) {
      return OptionalLong.empty();
    }
    long seconds = (left.toMillis() + 999) / 1000;
    return OptionalLong.of(seconds);
  }

  /** Counts a failed attempt. */
  public void recordFailure(String key) {
    Instant now = clock.instant();
    windows
        .asMap()
        .compute(
            key,
            (k, w) ->
                (w == null || !now.isBefore(w.start.plus(window)))
                    ? new Window(now, 1)
                    : new Window(w.start, w.failures + 1));
  }

  /** Forgets the failures of a key (after a successful login). */
  public void reset(String key) {
    windows.invalidate(key);
  }
}
