package dev.miosa.data.api.web;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

/**
 * What every request must be before anything reads it; runs first in the security chain.
 *
 * <ul>
 *   <li>The body limit: every request of the API is a small JSON document (object bytes never pass
 *       through the control plane; they go to the object store through signed URLs), so a body over
 *       1 MiB gets {@code 413}, whatever its framing: a declared {@code Content-Length} is checked
 *       before reading; a body without one (chunked) is read up to the limit and handed on from
 *       memory, or refused as soon as it passes the limit.
 *   <li>The query string must be validly percent-encoded (RFC 3986), else {@code 400}.
 * </ul>
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
    long declared = request.getContentLengthLong();
    if (declared > MAX_BODY_BYTES) {
      tooLarge(response);
      return;
    }
    String query = request.getQueryString();
    if (query != null && !validlyEncoded(query)) {
      write(
          response,
          400,
          ProblemHandler.body(
              ErrorCode.INVALID_REQUEST,
              "the query string is not validly percent-encoded",
              List.of(new FieldError("query", "is not validly percent-encoded"))));
      return;
    }
    if (declared < 0 && request.getHeader("Transfer-Encoding") != null) {
      byte[] body = request.getInputStream().readNBytes((int) MAX_BODY_BYTES + 1);
      if (body.length > MAX_BODY_BYTES) {
        tooLarge(response);
        return;
      }
      chain.doFilter(new BufferedBody(request, body), response);
      return;
    }
    chain.doFilter(request, response);
  }

  private static boolean validlyEncoded(String query) {
    try {
      URLDecoder.decode(query, StandardCharsets.UTF_8);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private void tooLarge(HttpServletResponse response) throws IOException {
    response.setHeader("Connection", "close");
    write(
        response,
        413,
        ProblemHandler.body(
            ErrorCode.PAYLOAD_TOO_LARGE, "request bodies are limited to 1 MiB", List.of()));
  }

  private void write(HttpServletResponse response, int status, Object body) throws IOException {
    response.setStatus(status);
    response.setContentType("application/problem+json");
    response.getOutputStream().write(json.writeValueAsBytes(body));
  }

  /** A request whose body was read into memory (at most the limit). */
  private static final class BufferedBody extends HttpServletRequestWrapper {

    private final byte[] body;

    BufferedBody(HttpServletRequest request, byte[] body) {
      super(request);
      this.body = body;
    }

    @Override
    public long getContentLengthLong() {
      return body.length;
    }

    @Override
    public int getContentLength() {
      return body.length;
    }

    @Override
    public ServletInputStream getInputStream() {
      ByteArrayInputStream in = new ByteArrayInputStream(body);
      return new ServletInputStream() {
        @Override
        public int read() throws IOException {
          return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          return in.read(b, off, len);
        }

        @Override
        public boolean isFinished() {
          return in.available() == 0;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new UnsupportedOperationException("the body is already in memory");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      String enc = getCharacterEncoding();
      return new BufferedReader(
          new InputStreamReader(
              new ByteArrayInputStream(body),
              enc == null ? StandardCharsets.UTF_8 : java.nio.charset.Charset.forName(enc)));
    }
  }
}
