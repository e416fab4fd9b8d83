package dev.miosa.data.api.web;

import dev.miosa.data.provisioner.spi.ErrorCode;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * The request body limit: every request of the API is a small JSON document (object bytes never
 * pass through the control plane; they go to the object store through signed URLs), so a body
 * declared over 1 MiB gets {@code 413} before it is read. It runs first in the security chain.
 */
public final class RequestLimits extends OncePerRequestFilter {

  /** The largest accepted request body, in bytes. */
  public static final long MAX_BODY_BYTES = 1024 * 1024;

  private final JsonMapper json;

  /**
   * @param json renders the problem body
   */
  public RequestLimits(JsonMapper json) {
    this.json = json;
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > MAX_BODY_BYTES) {
      response.setStatus(413);
      response.setContentType("application/problem+json");
      response.setHeader("Connection", "close");
      response
          .getOutputStream()
          .write(
              json.writeValueAsBytes(
                  ProblemHandler.body(
                      ErrorCode.PAYLOAD_TOO_LARGE,
                      "request bodies are limited to 1 MiB",
                      List.of())));
      return;
    }
    chain.doFilter(request, response);
  }
}
