package dev.miosa.data.api.security;

import dev.miosa.data.api.web.ProblemHandler;
import dev.miosa.data.provisioner.spi.ErrorCode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.authentication.AuthenticationServiceException;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import tools.jackson.databind.json.JsonMapper;

/**
 * Answers the security chain's refusals as RFC 9457 problem details ({@code
 * application/problem+json}), like every other error of the API: {@code 401} with {@code
 * WWW-Authenticate: Bearer} (RFC 6750) for a missing or bad token, {@code 403} for a valid token
 * that may not call the route, and {@code 400} for a request the firewall rejects (a path that is
 * not in canonical form).
 */
final class ProblemResponses {

  private final JsonMapper json;

  ProblemResponses(JsonMapper json) {
    this.json = json;
  }

  /**
   * {@code 401}: no token, or one that no provider accepted; {@code 503} with {@code Retry-After}
   * when the token could not be checked (the control-plane store is unavailable).
   */
  AuthenticationEntryPoint unauthorized() {
    return (request, response, e) -> {
      if (e instanceof AuthenticationServiceException) {
        response.setHeader(
            "Retry-After",
            ProblemHandler.headers(ErrorCode.UNAVAILABLE, null).getFirst("Retry-After"));
        write(response, ErrorCode.UNAVAILABLE, e.getMessage());
        return;
      }
      response.setHeader("WWW-Authenticate", "Bearer");
      write(response, ErrorCode.UNAUTHORIZED, detail(e));
    };
  }

  /** {@code 403}: an authenticated caller without the role the route needs. */
  AccessDeniedHandler forbidden() {
    return (request, response, e) -> write(response, ErrorCode.FORBIDDEN, forbiddenDetail(e));
  }

  /** {@code 400}: a request that the {@code StrictHttpFirewall} rejected. */
  RequestRejectedHandler rejected() {
    return (request, response, e) ->
        write(
            response,
            ErrorCode.REQUEST_REJECTED,
            "the request path or a header is not in canonical form (no ';', encoded '/', '.' or"
                + " '%', '//', '/./', '/../', backslash or control characters)");
  }

  private static String detail(AuthenticationException e) {
    if (e instanceof BadCredentialsException && e.getMessage() != null) {
      return e.getMessage();
    }
    if (e instanceof org.springframework.security.authentication.ProviderNotFoundException) {
      return "the bearer token is not valid";
    }
    return "a bearer token is required: the admin token for the operator API, a runtime token"
        + " for /v1/runtime/";
  }

  private static String forbiddenDetail(AccessDeniedException e) {
    return "this token may not call this route: the admin token reaches the operator API, a"
        + " runtime token only /v1/runtime/";
  }

  private void write(HttpServletResponse response, ErrorCode code, String detail)
      throws IOException {
    if (response.isCommitted()) {
      return;
    }
    response.setStatus(ProblemHandler.status(code).value());
    response.setContentType("application/problem+json");
    response
        .getOutputStream()
        .write(json.writeValueAsBytes(ProblemHandler.body(code, detail, List.of())));
  }
}
