package dev.miosa.data.api.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * Refuses request bodies over 1 MiB with {@code 413} before they are read: every request of the
 * API is a small JSON document (object bytes never pass through the control plane; they go to
 * the object store through signed URLs).
 */
@Component
@Order(0)
public class RequestSizeFilter extends OncePerRequestFilter {

  /** The largest accepted request body, in bytes. */
  public static final long MAX_BODY_BYTES = 1024 * 1024;

  private final JsonMapper json;

  RequestSizeFilter(JsonMapper json) {
    this.json = json;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > MAX_BODY_BYTES) {
      response.setStatus(413);
      response.setContentType("application/problem+json");
      response.setHeader("Connection", "close");
      response.getWriter()
          .write(json.writeValueAsString(
              ProblemHandler.body(ErrorCode.PAYLOAD_TOO_LARGE, "request bodies are limited to 1 MiB", List.of())));
      return;
    }
    chain.doFilter(request, response);
  }
}
