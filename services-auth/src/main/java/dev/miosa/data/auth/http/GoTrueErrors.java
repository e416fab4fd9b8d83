package dev.miosa.data.auth.http;

import dev.miosa.data.auth.AuthRefusals;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import tools.jackson.databind.json.JsonMapper;

/**
 * GoTrue's error answers ({@code internal/api/errors.go}, {@code HandleResponseError}): a client
 * sending {@code X-Supabase-Api-Version: 2024-01-01} or later (auth-js does) gets {@code {"code":
 * "<error_code>", "message": "..."}} and the header echoed; older clients get {@code {"code":
 * <status>, "error_code": "...", "msg": "..."}}. Weak passwords add {@code weak_password.reasons};
 * OAuth-style errors are {@code {"error": ..., "error_description": ...}}; {@code 429} carries
 * {@code Retry-After}. This is where the realm API's {@link ErrorCode}s become GoTrue's wire codes
 * and statuses (they differ from the operator API's problem details on purpose: auth-js parses
 * these).
 */
final class GoTrueErrors {

  /** The API version header. */
  static final String API_VERSION_HEADER = "X-Supabase-Api-Version";

  private static final LocalDate V2024_01_01 = LocalDate.of(2024, 1, 1);

  private GoTrueErrors() {}

  /**
   * GoTrue's {@code error_code} for a code (supabase/auth {@code
   * internal/api/apierrors/errorcode.go}); {@code unexpected_failure} for codes the realm API never
   * refuses with on purpose.
   */
  static String wire(ErrorCode code) {
    return switch (code) {
      case MALFORMED_JSON -> "bad_json";
      case INVALID_REQUEST -> "validation_failed";
      case WEAK_PASSWORD -> "weak_password";
      case USER_ALREADY_EXISTS -> "user_already_exists";
      case EMAIL_EXISTS -> "email_exists";
      case SAME_PASSWORD -> "same_password";
      case INVALID_CREDENTIALS -> "invalid_credentials";
      case EMAIL_NOT_CONFIRMED -> "email_not_confirmed";
      case RATE_LIMITED -> "over_request_rate_limit";
      case REFRESH_TOKEN_NOT_FOUND -> "refresh_token_not_found";
      case REFRESH_TOKEN_ALREADY_USED -> "refresh_token_already_used";
      case REFRESH_TOKEN_REQUIRED -> "invalid_request";
      case UNAUTHORIZED -> "no_authorization";
      case BAD_JWT -> "bad_jwt";
      case USER_NOT_FOUND -> "user_not_found";
      case SESSION_NOT_FOUND -> "session_not_found";
      case FORBIDDEN -> "not_admin";
      case PHONE_SIGNUP_DISABLED, PHONE_PROVIDER_DISABLED -> "phone_provider_disabled";
      case SIGNUP_DISABLED -> "signup_disabled";
      case PAYLOAD_TOO_LARGE -> "request_entity_too_large";
      case REALM_NOT_FOUND -> "not_found";
      default -> "unexpected_failure";
    };
  }

  /** The HTTP status GoTrue answers for a code. */
  static int status(ErrorCode code) {
    return switch (code) {
      case WEAK_PASSWORD,
          USER_ALREADY_EXISTS,
          EMAIL_EXISTS,
          SAME_PASSWORD,
          PHONE_PROVIDER_DISABLED,
          SIGNUP_DISABLED ->
          422;
      case RATE_LIMITED -> 429;
      case UNAUTHORIZED -> 401;
      case BAD_JWT, USER_NOT_FOUND, SESSION_NOT_FOUND, FORBIDDEN -> 403;
      case PAYLOAD_TOO_LARGE -> 413;
      case REALM_NOT_FOUND -> 404;
      case MALFORMED_JSON,
          INVALID_REQUEST,
          INVALID_CREDENTIALS,
          EMAIL_NOT_CONFIRMED,
          REFRESH_TOKEN_NOT_FOUND,
          REFRESH_TOKEN_ALREADY_USED,
          REFRESH_TOKEN_REQUIRED,
          PHONE_SIGNUP_DISABLED ->
          400;
      case UNAVAILABLE, BACKEND_UNAVAILABLE -> 503;
      default -> 500;
    };
  }

  static ResponseEntity<String> render(MiosaException e, String apiVersionHeader, JsonMapper json) {
    int status = status(e.code());
    String wire = wire(e.code());
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    Map<String, Object> body = new LinkedHashMap<>();
    if (e.code() == ErrorCode.REFRESH_TOKEN_REQUIRED) {
      body.put("error", wire);
      body.put("error_description", e.getMessage());
    } else if (isAtLeast2024(apiVersionHeader)) {
      headers.set(API_VERSION_HEADER, "2024-01-01");
      body.put("code", wire);
      body.put("message", e.getMessage());
    } else {
      body.put("code", status);
      body.put("error_code", wire);
      body.put("msg", e.getMessage());
    }
    List<String> reasons = AuthRefusals.weakPasswordReasons(e);
    if (!reasons.isEmpty()) {
      body.put("weak_password", Map.of("reasons", reasons));
    }
    if (e.retryAfter() != null) {
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, e.retryAfter().toSeconds())));
    }
    return ResponseEntity.status(status).headers(headers).body(json.writeValueAsString(body));
  }

  private static boolean isAtLeast2024(String header) {
    if (header == null || header.isEmpty()) {
      return false;
    }
    try {
      return !LocalDate.parse(header).isBefore(V2024_01_01);
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}
