package dev.miosa.data.storage;

import dev.miosa.data.provisioner.spi.MiosaException;
import java.nio.charset.StandardCharsets;

/**
 * Rules for object keys given to the signing API. A key is any Unicode text of 1 to 1,024 UTF-8
 * bytes (the S3 limit, https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html) made
 * of {@code /}-separated segments; spaces, {@code + % # ? & =}, quotes and non-ASCII letters are
 * all fine, since keys reach the MinIO SDK as they are and it percent-encodes them once.
 *
 * <p>Refused, each with its own message: empty keys, keys over 1,024 bytes, control characters
 * (U+0000-U+001F, U+007F-U+009F), unpaired surrogates, and the segment shapes MinIO refuses or that
 * address a directory rather than an object: a leading or trailing {@code /}, an empty segment
 * ({@code //}), a {@code .} or {@code ..} segment. Uploads to the prefixes the control plane owns
 * ({@code sha256/}, {@code .uploads/}) are refused too: content-addressed objects are only written
 * by finalize.
 */
public final class ObjectKeys {

  /** The longest key, in UTF-8 bytes. */
  public static final int MAX_KEY_BYTES = 1024;

  /** Prefix of content-addressed objects: {@code sha256/<64 hex>}. */
  public static final String CONTENT_PREFIX = "sha256/";

  /** Prefix of uploads waiting for finalize: {@code .uploads/<64 hex>/<random>}. */
  public static final String UPLOAD_PREFIX = ".uploads/";

  private ObjectKeys() {}

  /**
   * Checks a key a caller wants to read or delete.
   *
   * @param field the request field holding it ({@code key})
   * @param key the key as sent, possibly null
   * @return the key, unchanged
   * @throws MiosaException {@code 400} naming the field and the rule broken
   */
  public static String requireValid(String field, String key) {
    if (key == null || key.isEmpty()) {
      throw MiosaException.invalid(field, "must not be empty");
    }
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (Character.isISOControl(c)) {
        throw MiosaException.invalid(
            field,
            String.format("must not contain control characters (U+%04X at index %d)", (int) c, i));
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < key.length()
          && Character.isLowSurrogate(key.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw MiosaException.invalid(
            field, "must be valid Unicode (unpaired surrogate at index " + i + ")");
      }
    }
    int bytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > MAX_KEY_BYTES) {
      throw MiosaException.invalid(
          field, "must be at most " + MAX_KEY_BYTES + " bytes in UTF-8 (it is " + bytes + ")");
    }
    if (key.startsWith("/") || key.endsWith("/")) {
      throw MiosaException.invalid(field, "must not start or end with '/'");
    }
    for (String segment : key.split("/", -1)) {
      if (segment.isEmpty()) {
        throw MiosaException.invalid(field, "must not contain an empty segment ('//')");
      }
      if (segment.equals(".") || segment.equals("..")) {
        throw MiosaException.invalid(field, "must not contain a '.' or '..' segment");
      }
    }
    return key;
  }

  /**
   * Checks a key a caller wants to upload to: {@link #requireValid} and not under a prefix the
   * control plane owns.
   *
   * @param field the request field
   * @param key the key
   * @return the key, unchanged
   * @throws MiosaException {@code 400}
   */
  public static String requireUploadable(String field, String key) {
    requireValid(field, key);
    if (key.startsWith(CONTENT_PREFIX) || key.startsWith(UPLOAD_PREFIX)) {
      throw MiosaException.invalid(
          field,
          "keys under '"
              + CONTENT_PREFIX
              + "' and '"
              + UPLOAD_PREFIX
              + "' are written by the control plane only; upload with contentSha256 instead");
    }
    return key;
  }

  /** The key of the content-addressed object with this SHA-256 (lowercase hex). */
  public static String contentKey(String sha256Hex) {
    return CONTENT_PREFIX + sha256Hex;
  }
}
