package dev.miosa.data.auth;

import java.util.List;

/**
 * A realm API request was refused. The message is GoTrue's wording and is shown to clients, so it
 * never holds a password, token or secret.
 */
public class AuthException extends RuntimeException {

  private final AuthErrorCode code;
  private final List<String> weakPasswordReasons;
  private final long retryAfterSeconds;

  /**
   * @param code the machine code
   * @param message the client-facing message (GoTrue's text)
   */
  public AuthException(AuthErrorCode code, String message) {
    this(code, message, List.of(), 0);
  }

  private AuthException(AuthErrorCode code, String message, List<String> reasons, long retryAfter) {
    super(message, null, false, false);
    this.code = code;
    this.weakPasswordReasons = List.copyOf(reasons);
    this.retryAfterSeconds = retryAfter;
  }

  /**
   * A weak-password refusal.
   *
   * @param message GoTrue's message ({@code Password should be at least 6 characters.})
   * @param reasons GoTrue's reasons ({@code length})
   */
  public static AuthException weakPassword(String message, List<String> reasons) {
    return new AuthException(AuthErrorCode.WEAK_PASSWORD, message, reasons, 0);
  }

  /**
   * A rate-limit refusal.
   *
   * @param retryAfterSeconds whole seconds until another attempt may succeed (at least 1)
   */
  public static AuthException rateLimited(long retryAfterSeconds) {
    return new AuthException(
        AuthErrorCode.OVER_REQUEST_RATE_LIMIT,
        "Request rate limit reached",
        List.of(),
        Math.max(1, retryAfterSeconds));
  }

  /** The machine code. */
  public AuthErrorCode code() {
    return code;
  }

  /** For {@link AuthErrorCode#WEAK_PASSWORD}: why the password is weak; otherwise empty. */
  public List<String> weakPasswordReasons() {
    return weakPasswordReasons;
  }

  /** For {@link AuthErrorCode#OVER_REQUEST_RATE_LIMIT}: seconds to wait; otherwise 0. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}
