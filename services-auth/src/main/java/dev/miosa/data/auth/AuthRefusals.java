package dev.miosa.data.auth;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The realm refusals that carry more than a code and a message, as {@link MiosaException}s. Their
 * messages are GoTrue's wording and are shown to clients, so they never hold a password, token or
 * secret; the realm API renders them in GoTrue's error shape ({@code http.GoTrueErrors}).
 */
public final class AuthRefusals {

  /** The problem member of a weak-password refusal that lists GoTrue's reasons. */
  public static final String WEAK_PASSWORD_REASONS = "weakPasswordReasons";

  private AuthRefusals() {}

  /**
   * A weak-password refusal.
   *
   * @param message GoTrue's message ({@code Password should be at least 6 characters.})
   * @param reasons GoTrue's reasons ({@code length})
   */
  public static MiosaException weakPassword(String message, List<String> reasons) {
    return new MiosaException(
        ErrorCode.WEAK_PASSWORD,
        message,
        List.of(),
        Map.of(WEAK_PASSWORD_REASONS, List.copyOf(reasons)),
        null,
        null);
  }

  /**
   * A rate-limit refusal.
   *
   * @param retryAfterSeconds whole seconds until another attempt may succeed (at least 1)
   */
  public static MiosaException rateLimited(long retryAfterSeconds) {
    return new MiosaException(
        ErrorCode.RATE_LIMITED,
        "Request rate limit reached",
        List.of(),
        Map.of(),
        Duration.ofSeconds(Math.max(1, retryAfterSeconds)),
        null);
  }

  /** The reasons of a weak-password refusal; empty for any other. */
  @SuppressWarnings("unchecked")
  public static List<String> weakPasswordReasons(MiosaException e) {
    Object v = e.properties().get(WEAK_PASSWORD_REASONS);
    return v == null ? List.of() : (List<String>) v;
  }
}
