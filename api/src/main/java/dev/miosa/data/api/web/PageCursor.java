package dev.miosa.data.api.web;

import dev.miosa.data.provisioner.spi.MiosaException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;

/**
 * The position after which a keyset page continues: the creation time and id of the last row of the
 * page before, carried to clients as an opaque {@code nextCursor} (URL-safe base64 of {@code <RFC
 * 3339 instant>|<id>}).
 *
 * @param at the last row's creation time
 * @param id the last row's id (breaks ties of equal times)
 */
public record PageCursor(Instant at, String id) {

  /** The opaque form handed to clients. */
  public String encode() {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString((at + "|" + id).getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Reads a cursor a client sent back.
   *
   * @param cursor the {@code nextCursor} of an earlier page, or null or blank for the first page
   * @return the position, or null for the first page
   * @throws MiosaException 400 naming {@code cursor} when it is not one this API returned
   */
  public static PageCursor decode(String cursor) {
    if (cursor == null || cursor.isBlank()) {
      return null;
    }
    try {
      String raw = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
      int bar = raw.indexOf('|');
      return new PageCursor(Instant.parse(raw.substring(0, bar)), raw.substring(bar + 1));
    } catch (RuntimeException e) {
      throw MiosaException.invalid("cursor", "is not a cursor this API returned");
    }
  }

  /**
   * Reads a page size from a query parameter.
   *
   * @param limit the parameter as sent
   * @param max the largest size allowed
   * @return the size, 1 to {@code max}
   * @throws MiosaException 400 naming {@code limit} otherwise
   */
  public static int limit(String limit, int max) {
    int n;
    try {
      n = Integer.parseInt(limit);
    } catch (NumberFormatException e) {
      n = -1;
    }
    if (n < 1 || n > max) {
      throw MiosaException.invalid("limit", "must be an integer from 1 to " + max);
    }
    return n;
  }
}
