package dev.miosa.data.storage;

import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import okhttp3.MediaType;

/**
 * A request to sign one object operation, as sent to {@code POST {STORAGE_URL}/signed-urls}.
 *
 * @param method {@code PUT} (upload), {@code POST} (browser form upload), {@code GET} (download) or
 *     {@code DELETE}
 * @param key the object key; null for a content-addressed upload
 * @param expiresIn how long the URL works: 1 second to 7 days (the SigV4 presign limit)
 * @param contentType for uploads: the {@code Content-Type} the uploader must send (in the canonical
 *     spelling of {@link #normalizeContentType}), or null
 * @param contentLength for uploads: the exact size in bytes ({@code PUT}, required there, so that
 *     every upload is bound to {@code maxObjectBytes}) or the upper bound ({@code POST}), or null
 * @param contentSha256 for uploads: the body's SHA-256 in lowercase hex to store it by content, or
 *     null
 */
public record SignRequest(
    String method,
    String key,
    Duration expiresIn,
    String contentType,
    Long contentLength,
    String contentSha256) {

  /** Expiry when none is asked: 15 minutes. */
  public static final Duration DEFAULT_EXPIRY = Duration.ofMinutes(15);

  /** Longest expiry: 7 days. */
  public static final Duration MAX_EXPIRY = Duration.ofDays(7);

  private static final Set<String> METHODS = Set.of("PUT", "POST", "GET", "DELETE");
  private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-f]{64}");

  /** Whether this is an upload ({@code PUT} or {@code POST}). */
  public boolean upload() {
    return method.equals("PUT") || method.equals("POST");
  }

  /**
   * Validates a request: the rules of each field (also checked by Bean Validation at the HTTP edge,
   * so that callers without it get the same answers) and those that join fields or depend on the
   * data service's config.
   *
   * @param body the request as sent
   * @param maxObjectBytes the data service's cap on an upload's size
   * @return the request
   * @throws MiosaException {@code INVALID_REQUEST} naming the first bad field
   */
  public static SignRequest parse(SignUrlRequest body, long maxObjectBytes) {
    String ms = body.method();
    if (ms == null || !METHODS.contains(ms.toUpperCase(Locale.ROOT))) {
      throw MiosaException.invalid("method", "must be one of PUT, POST, GET, DELETE");
    }
    String method = ms.toUpperCase(Locale.ROOT);
    boolean upload = method.equals("PUT") || method.equals("POST");

    Duration expiresIn = DEFAULT_EXPIRY;
    if (body.expiresInSeconds() != null) {
      long seconds = body.expiresInSeconds();
      if (seconds < 1 || seconds > MAX_EXPIRY.toSeconds()) {
        throw MiosaException.invalid(
            "expiresInSeconds", "must be between 1 and " + MAX_EXPIRY.toSeconds() + " (7 days)");
      }
      expiresIn = Duration.ofSeconds(seconds);
    }

    String contentSha256 = null;
    if (body.contentSha256() != null) {
      if (!upload) {
        throw MiosaException.invalid("contentSha256", "is only for PUT and POST uploads");
      }
      String h = body.contentSha256().toLowerCase(Locale.ROOT);
      if (!SHA256_HEX.matcher(h).matches()) {
        throw MiosaException.invalid("contentSha256", "must be a SHA-256 in hex (64 characters)");
      }
      contentSha256 = h;
    }

    String key = null;
    if (contentSha256 != null) {
      if (body.key() != null) {
        throw MiosaException.invalid(
            "key", "must be omitted with contentSha256: the key is sha256/<hash>");
      }
    } else {
      key =
          upload
              ? ObjectKeys.requireUploadable("key", body.key())
              : ObjectKeys.requireValid("key", body.key());
    }

    String contentType = null;
    if (body.contentType() != null) {
      if (!upload) {
        throw MiosaException.invalid("contentType", "is only for PUT and POST uploads");
      }
      String ct = body.contentType();
      if (ct.length() > 255
          || ct.chars().anyMatch(c -> c < 0x20 || c > 0x7e)
          || MediaType.parse(ct) == null) {
        throw MiosaException.invalid(
            "contentType", "must be a media type such as image/png (RFC 2045)");
      }
      contentType = normalizeContentType(ct);
    }

    Long contentLength = null;
    if (body.contentLength() != null) {
      if (!upload) {
        throw MiosaException.invalid("contentLength", "is only for PUT and POST uploads");
      }
      long n = body.contentLength();
      if (n < 0) {
        throw MiosaException.invalid("contentLength", "must not be negative");
      }
      if (n > maxObjectBytes) {
        throw MiosaException.invalid(
            "contentLength",
            "must be at most " + maxObjectBytes + " bytes (the data service's maxObjectBytes)");
      }
      contentLength = n;
    } else if (method.equals("PUT")) {
      // A presigned PUT binds no size unless the length is a signed header: without it, any size
      // would land under the cap.
      throw MiosaException.invalid(
          "contentLength",
          "is required for PUT: the exact size in bytes, at most "
              + maxObjectBytes
              + " (the data service's maxObjectBytes); the store refuses any other size");
    }
    return new SignRequest(method, key, expiresIn, contentType, contentLength, contentSha256);
  }

  /**
   * Writes a media type in one canonical spelling: type, subtype and parameter names in lowercase,
   * a {@code charset} value in uppercase (all case-insensitive per RFC 2045/2046), parameters
   * separated by {@code "; "}. The uploader sends exactly this value, and stores that rewrite
   * well-known content types on receipt (Jetty, under S3Proxy, turns {@code utf-8} into {@code
   * UTF-8}) then still see the signed value. Values with quoted parameters keep their parameters as
   * given.
   */
  static String normalizeContentType(String contentType) {
    String[] parts = contentType.split(";");
    StringBuilder out = new StringBuilder(parts[0].trim().toLowerCase(Locale.ROOT));
    if (contentType.indexOf('"') >= 0) {
      int semicolon = contentType.indexOf(';');
      return semicolon < 0 ? out.toString() : out + contentType.substring(semicolon);
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim();
      if (p.isEmpty()) {
        continue;
      }
      int eq = p.indexOf('=');
      String name = (eq < 0 ? p : p.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
      String value = eq < 0 ? "" : p.substring(eq + 1).trim();
      if (name.equals("charset")) {
        value = value.toUpperCase(Locale.ROOT);
      }
      out.append("; ").append(name).append(eq < 0 ? "" : "=" + value);
    }
    return out.toString();
  }
}
