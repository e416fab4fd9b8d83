package dev.miosa.data.api.web;

import dev.miosa.data.api.config.AdminToken;
import dev.miosa.data.api.runtime.RuntimeTokenService;
import dev.miosa.data.provisioner.spi.ErrorCode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Authenticates requests by bearer token (RFC 6750): the operator API under {@code /v1/} needs the
 * admin token; {@code /v1/runtime/} needs a runtime token, whose environment is put on the request
 * as {@link #RUNTIME_PRINCIPAL}; {@code /v1/auth/} and {@code /v1/storage/} check their own
 * credentials. Anything else (health, docs) is public. Bodies over {@link
 * RequestLimits#MAX_BODY_BYTES} are refused first. (One filter, not two: Tomcat looks each filter
 * up under a lock on every request, which costs throughput on the hot env fetch.)
 */
@Component
@Order(1)
public class BearerAuthFilter extends OncePerRequestFilter {

  /** Request attribute holding the {@link RuntimeTokenService.RuntimePrincipal}. */
  public static final String RUNTIME_PRINCIPAL = "miosa.runtimePrincipal";

  private final AdminToken adminToken;
  private final RuntimeTokenService runtimeTokens;
  private final JsonMapper json;

  BearerAuthFilter(AdminToken adminToken, RuntimeTokenService runtimeTokens, JsonMapper json) {
    this.adminToken = adminToken;
    this.runtimeTokens = runtimeTokens;
    this.json = json;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > RequestLimits.MAX_BODY_BYTES) {
      RequestLimits.reject(response, json);
      return;
    }
    String path = request.getRequestURI().substring(request.getContextPath().length());
    if (!path.startsWith("/v1/")
        || path.startsWith("/v1/auth/")
        || path.startsWith("/v1/storage/")) {
      chain.doFilter(request, response);
      return;
    }
    String token = bearer(request);
    if (path.startsWith("/v1/runtime/")) {
      var principal = token == null ? null : runtimeTokens.authenticate(token).orElse(null);
      if (principal == null) {
        reject(response, "a valid, unexpired, unrevoked runtime token is required");
        return;
      }
      request.setAttribute(RUNTIME_PRINCIPAL, principal);
      chain.doFilter(request, response);
      return;
    }
    if (token == null || !adminToken.matches(token)) {
      reject(response, "the admin token is required (Authorization: Bearer <MIOSA_ADMIN_TOKEN>)");
      return;
    }
    chain.doFilter(request, response);
  }

  private static String bearer(HttpServletRequest request) {
    String header = request.getHeader("Authorization");
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    String token = header.substring(7).trim();
    return token.isEmpty() ? null : token;
  }

  private void reject(HttpServletResponse response, String detail) throws IOException {
    var body = ProblemHandler.body(ErrorCode.UNAUTHORIZED, detail, java.util.List.of());
    response.setStatus(401);
    response.setHeader("WWW-Authenticate", "Bearer");
    response.setContentType("application/problem+json");
    response.getWriter().write(json.writeValueAsString(body));
  }
}
