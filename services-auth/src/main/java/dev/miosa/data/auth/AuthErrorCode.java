package dev.miosa.data.auth;

/**
 * Stable machine codes of realm API errors. {@link #wire()} is the GoTrue {@code error_code} string
 * (see supabase/auth {@code internal/api/apierrors/errorcode.go}); the HTTP layer maps each code to
 * its status.
 */
public enum AuthErrorCode {
  /** The body is not JSON, or a field has the wrong JSON type. */
  BAD_JSON("bad_json"),
  /** A field is missing or malformed. */
  VALIDATION_FAILED("validation_failed"),
  /** The password is shorter than the realm's minimum. */
  WEAK_PASSWORD("weak_password"),
  /** Signup with an address that already has a confirmed user. */
  USER_ALREADY_EXISTS("user_already_exists"),
  /** Changing the email to one another user has. */
  EMAIL_EXISTS("email_exists"),
  /** Changing the password to the same password. */
  SAME_PASSWORD("same_password"),
  /** Unknown email or wrong password (one answer for both). */
  INVALID_CREDENTIALS("invalid_credentials"),
  /** Right password, unconfirmed address. */
  EMAIL_NOT_CONFIRMED("email_not_confirmed"),
  /** Too many failed logins for this realm, email and client address. */
  OVER_REQUEST_RATE_LIMIT("over_request_rate_limit"),
  /** The refresh token is unknown in this realm. */
  REFRESH_TOKEN_NOT_FOUND("refresh_token_not_found"),
  /** A rotated refresh token was used again after the grace window; its session is revoked. */
  REFRESH_TOKEN_ALREADY_USED("refresh_token_already_used"),
  /** An OAuth-style {@code invalid_request} ({@code refresh_token required}). */
  OAUTH_INVALID_REQUEST("invalid_request"),
  /** No bearer token. */
  NO_AUTHORIZATION("no_authorization"),
  /** The bearer token is not a valid access token of this realm. */
  BAD_JWT("bad_jwt"),
  /** The token's user no longer exists. */
  USER_NOT_FOUND("user_not_found"),
  /** The token's session was logged out or revoked. */
  SESSION_NOT_FOUND("session_not_found"),
  /** Only an admin may change {@code app_metadata}. */
  NOT_ADMIN("not_admin"),
  /** Phone sign-up is not offered (GoTrue answers {@code 400}). */
  PHONE_SIGNUP_DISABLED("phone_provider_disabled"),
  /** Phone login and phone changes are not offered (GoTrue answers {@code 422}). */
  PHONE_PROVIDER_DISABLED("phone_provider_disabled"),
  /** The realm refuses new sign-ups. */
  SIGNUP_DISABLED("signup_disabled"),
  /** The body is larger than the realm API accepts. */
  REQUEST_ENTITY_TOO_LARGE("request_entity_too_large"),
  /** No realm with that id (never created, or deprovisioned). */
  REALM_NOT_FOUND("not_found");

  private final String wire;

  AuthErrorCode(String wire) {
    this.wire = wire;
  }

  /** The GoTrue {@code error_code} string. */
  public String wire() {
    return wire;
  }
}
