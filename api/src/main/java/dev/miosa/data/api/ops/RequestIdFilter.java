package dev.miosa.data.api.ops;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Gives every request an id and writes the access log. The id is the client's {@code X-Request-Id}
 * when it is short and of safe characters ({@code [A-Za-z0-9._:-]}, 1 to 64), else a new random
 * one; it goes into the log context ({@code requestId}, so onto every log line of the request) and
 * back in the response's {@code X-Request-Id}. A W3C {@code traceparent} header's trace id goes
 * into the log context as {@code traceId}. Runs before the security chain, so refused requests are
 * logged with their id too.
 */
public final class RequestIdFilter extends OncePerRequestFilter {

  /** The header carrying the request id both ways. */
  public static final String HEADER = "X-Request-Id";

  /** The log context key of the request id. */
  public static final String MDC_REQUEST_ID = "requestId";

  /** The log context key of the W3C trace id. */
  public static final String MDC_TRACE_ID = "traceId";

  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");
  private static final Pattern TRACEPARENT =
      Pattern.compile("[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}");
  private static final String INVALID_TRACE_ID = "00000000000000000000000000000000";
  private static final Logger access = LoggerFactory.getLogger("miosa.access");
  private static final SecureRandom RANDOM = new SecureRandom();

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String id = requestId(request.getHeader(HEADER));
    String traceId = traceId(request.getHeader("traceparent"));
    MDC.put(MDC_REQUEST_ID, id);
    if (traceId != null) {
      MDC.put(MDC_TRACE_ID, traceId);
    }
    response.setHeader(HEADER, id);
    long start = System.nanoTime();
    try {
      chain.doFilter(request, response);
    } finally {
      if (access.isInfoEnabled()) {
        access.info(
            "{} {} {} {}ms",
            request.getMethod(),
            request.getRequestURI(),
            response.getStatus(),
            (System.nanoTime() - start) / 1_000_000);
      }
      MDC.remove(MDC_REQUEST_ID);
      MDC.remove(MDC_TRACE_ID);
    }
  }

  /**
   * The request id to use.
   *
   * @param presented the client's {@code X-Request-Id}, or null
   * @return it when safe, else a new random id (32 hex digits)
   */
  static String requestId(String presented) {
    if (presented != null && SAFE_ID.matcher(presented).matches()) {
      return presented;
    }
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return HexFormat.of().formatHex(bytes);
  }

  /**
   * The trace id of a W3C {@code traceparent} header.
   *
   * @param traceparent the header, or null
   * @return the trace id, or null when absent or malformed
   */
  static String traceId(String traceparent) {
    if (traceparent == null) {
      return null;
    }
    var m = TRACEPARENT.matcher(traceparent.trim());
    if (!m.matches() || m.group(1).equals(INVALID_TRACE_ID)) {
      return null;
    }
    return m.group(1);
  }
}
