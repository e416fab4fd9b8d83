package dev.miosa.data.storage;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a signing request yields: a signed URL, or (for content-addressed uploads) "already stored".
 */
public sealed interface SignOutcome permits SignOutcome.Signed, SignOutcome.AlreadyStored {

  /**
   * A presigned URL on the store's public endpoint.
   *
   * @param method the HTTP method to use with it
   * @param url the URL (for {@code POST}, the bucket's URL the form is sent to)
   * @param headers headers the request must carry exactly as given (they are signed); empty when
   *     none
   * @param fields for {@code POST}: the form fields to send before the {@code file} field; empty
   *     otherwise
   * @param expiresAt when the URL stops working (whole seconds)
   * @param key the object's key once stored ({@code sha256/<hash>} for content-addressed uploads)
   * @param uploadKey for content-addressed uploads: the temporary key the URL writes to, to pass to
   *     finalize; null otherwise
   */
  record Signed(
      String method,
      String url,
      Map<String, String> headers,
      Map<String, String> fields,
      Instant expiresAt,
      String key,
      String uploadKey)
      implements SignOutcome {

    /** Defensive copies. */
    public Signed {
      headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
      fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    }
  }

  /**
   * A content-addressed object with the declared hash is already stored: nothing to upload.
   *
   * @param key {@code sha256/<hash>}
   * @param contentSha256 the hash
   * @param size its size in bytes
   */
  record AlreadyStored(String key, String contentSha256, long size) implements SignOutcome {}
}
