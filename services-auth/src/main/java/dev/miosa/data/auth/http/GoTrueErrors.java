package dev.miosa.data.auth.http;

import dev.miosa.data.auth.AuthErrorCode;
import dev.miosa.data.auth.AuthException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
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
 * {@code Retry-After}.
 */
final class GoTrueErrors {

  /** The API version header. */
  static final String API_VERSION_HEADER = "X-Supabase-Api-Version";

  private static final LocalDate V2024_01_01 = LocalDate.of(2024, 1, 1);

  private GoTrueErrors() {}

  /** The HTTP status GoTrue answers for a code. */
  static int status(AuthErrorCode code) {
    return switch (code) {
      case WEAK_PASSWORD,
          USER_ALREADY_EXISTS,
          EMAIL_EXISTS,
          SAME_PASSWORD,
          PHONE_PROVIDER_DISABLED,
          SIGNUP_DISABLED ->
          422;
      case OVER_REQUEST_RATE_LIMIT -> 429;
      case NO_AUTHORIZATION -> 401;
      case BAD_JWT, USER_NOT_FOUND, SESSION_NOT_FOUND, NOT_ADMIN -> 403;
      case REQUEST_ENTITY_TOO_LARGE -> 413;
      case REALM_NOT_FOUND -> 404;
      case BAD_JSON,
          VALIDATION_FAILED,
          INVALID_CREDENTIALS,
          EMAIL_NOT_CONFIRMED,
          REFRESH_TOKEN_NOT_FOUND,
          REFRESH_TOKEN_ALREADY_USED,
          OAUTH_INVALID_REQUEST,
          PHONE_SIGNUP_DISABLED ->
          400;
    };
  }

  static ResponseEntity<String> render(AuthException e, String apiVersionHeader, JsonMapper json) {
    int status = status(e.code());
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_JSON);
    Map<String, Object> body = new LinkedHashMap<>();
    if (e.code() == AuthErrorCode.OAUTH_INVALID_REQUEST) {
      body.put("error", e.code().wire());
      body.put("error_description", e.getMessage());
    } else if (isAtLeast2024(apiVersionHeader)) {
      headers.set(API_VERSION_HEADER, "2024-01-01");
      body.put("code", e.code().wire());
      body.put("message", e.getMessage());
    } else {
      body.put("code", status);
      body.put("error_code", e.code().wire());
      body.put("msg", e.getMessage());
    }
    if (!e.weakPasswordReasons().isEmpty()) {
      body.put("weak_password", Map.of("reasons", e.weakPasswordReasons()));
    }
    if (e.retryAfterSeconds() > 0) {
      headers.set(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds()));
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
