package dev.miosa.data.api.runtime;

import dev.miosa.data.api.audit.AuditLog;
import dev.miosa.data.api.runtime.RuntimeTokenService.RuntimePrincipal;
import dev.miosa.data.credentials.EnvFormat;
import dev.miosa.data.provisioner.spi.MiosaException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The boot-time env fetch, shared by both listeners that serve it ({@link RuntimeEnvController}
 * behind the security chain, {@link RuntimeEnvListener} on its own port): picks the format, serves
 * the rendered bytes from the {@link VariablesCache}, answers {@code 304} when {@code
 * If-None-Match} names the current entity tag (RFC 9110 section 13.1.2), and audits the read off
 * the request path.
 */
@Component
public class EnvFetch {

  /**
   * What to send.
   *
   * @param notModified whether the client's entity tag is current ({@code 304}, no body)
   * @param contentType the media type with charset
   * @param body the bytes (shared, never to be modified), empty when not modified
   * @param etag the strong entity tag, quoted
   */
  public record Answer(boolean notModified, String contentType, byte[] body, String etag) {}

  private static final Map<EnvFormat, String> CONTENT_TYPES = new EnumMap<>(EnvFormat.class);

  static {
    for (EnvFormat f : EnvFormat.values()) {
      CONTENT_TYPES.put(
          f, f == EnvFormat.JSON ? "application/json" : f.mediaType() + ";charset=utf-8");
    }
  }

  private static final byte[] EMPTY = new byte[0];

  /**
   * The media type of a format as sent: {@code application/json}, or the text type with {@code
   * charset=utf-8}.
   */
  public static String contentType(EnvFormat format) {
    return CONTENT_TYPES.get(format);
  }

  private final VariablesCache cache;
  private final AuditLog audit;
  private final Timer fetches;

  EnvFetch(VariablesCache cache, AuditLog audit, MeterRegistry registry) {
    this.fetches =
        Timer.builder("miosa.env.fetches")
            .description("Env fetches answered (both listeners) and how long each took")
            .register(registry);
    this.cache = cache;
    this.audit = audit;
  }

  /**
   * The format a request asks for: {@code ?format=} ({@code json}, {@code dotenv}, {@code shell})
   * first, else dotenv for an {@code Accept} with {@code text/plain} and without {@code
   * application/json}, else JSON.
   *
   * @param format the {@code format} query parameter, or null
   * @param accept the {@code Accept} header, or null
   * @return the format
   * @throws MiosaException 400 naming {@code format} for an unknown one
   */
  public static EnvFormat negotiate(String format, String accept) {
    if (format != null) {
      try {
        return EnvFormat.parse(format);
      } catch (IllegalArgumentException e) {
        throw MiosaException.invalid("format", e.getMessage());
      }
    }
    if (accept != null && accept.contains("text/plain") && !accept.contains("application/json")) {
      return EnvFormat.DOTENV;
    }
    return EnvFormat.JSON;
  }

  /**
   * Whether the environment's variables are rendered in memory, so that {@link #fetch} answers
   * without blocking.
   */
  public boolean cached(String environmentId) {
    return cache.cached(environmentId);
  }

  /**
   * The answer for a runtime token's environment; blocks to resolve the variables when they are not
   * cached.
   *
   * @param principal the authenticated runtime token
   * @param format the format
   * @param ifNoneMatch the {@code If-None-Match} header, or null
   * @return the answer; the read is audited either way
   */
  public Answer fetch(RuntimePrincipal principal, EnvFormat format, String ifNoneMatch) {
    long start = System.nanoTime();
    try {
      return answer(principal, format, ifNoneMatch);
    } finally {
      fetches.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
  }

  private Answer answer(RuntimePrincipal principal, EnvFormat format, String ifNoneMatch) {
    VariablesCache.Rendered rendered = cache.get(principal.environmentId());
    audit.record(
        "runtime-token:" + principal.tokenId(),
        "variables.read",
        principal.projectId(),
        principal.environmentId());
    String etag = rendered.etag(format);
    if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
      return new Answer(true, CONTENT_TYPES.get(format), EMPTY, etag);
    }
    return new Answer(false, CONTENT_TYPES.get(format), rendered.bytes(format), etag);
  }

  /** {@code If-None-Match}: {@code *} or a list of entity tags, compared weakly (RFC 9110). */
  private static boolean matches(String header, String etag) {
    String bare = etag.substring(1, etag.length() - 1);
    for (String candidate : header.split(",")) {
      String c = candidate.trim();
      if (c.startsWith("W/")) {
        c = c.substring(2);
      }
      if (c.equals("*") || c.equals(etag) || c.equals(bare)) {
        return true;
      }
    }
    return false;
  }
}
