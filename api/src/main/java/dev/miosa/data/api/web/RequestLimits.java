package dev.miosa.data.api.web;

import dev.miosa.data.provisioner.spi.ErrorCode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import tools.jackson.databind.json.JsonMapper;

/**
 * The request body limit: every request of the API is a small JSON document (object bytes never
 * pass through the control plane; they go to the object store through signed URLs), so bodies over
 * 1 MiB get {@code 413} before they are read. Applied by {@link BearerAuthFilter}.
 */
public final class RequestLimits {

  /** The largest accepted request body, in bytes. */
  public static final long MAX_BODY_BYTES = 1024 * 1024;

  private RequestLimits() {}

  /** Writes the {@code 413} problem detail. */
  static void reject(HttpServletResponse response, JsonMapper json) throws IOException {
    response.setStatus(413);
    response.setContentType("application/problem+json");
    response.setHeader("Connection", "close");
    response
        .getWriter()
        .write(
            json.writeValueAsString(
                ProblemHandler.body(
                    ErrorCode.PAYLOAD_TOO_LARGE,
                    "request bodies are limited to 1 MiB",
                    List.of())));
  }
}
