package dev.miosa.data.storage;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import io.minio.CopyObjectArgs;
import io.minio.CopySource;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Content-addressed objects: stored under {@code sha256/<hex>} only after the control plane has
 * read the uploaded bytes and found their SHA-256 equal to the hash in the key. Stores do not check
 * a presigned body against a declared hash (S3Proxy and MinIO both accept a mismatch), so the check
 * is ours.
 *
 * <p>Invariants: an object under {@code sha256/<h>} was copied from an upload whose bytes hashed to
 * {@code h}; the copy is conditional on the upload's ETag being the one of the bytes hashed ({@code
 * x-amz-copy-source-if-match}), so a re-upload through the still valid URL between hashing and
 * copying is never placed; a mismatching or oversized upload is deleted; an upload never finalized
 * is deleted by {@link #deleteAbandoned} once it is older than the abandoned-upload window.
 */
public final class ContentUploads {

  private static final Logger log = LoggerFactory.getLogger(ContentUploads.class);

  private static final Pattern UPLOAD_KEY =
      Pattern.compile(Pattern.quote(ObjectKeys.UPLOAD_PREFIX) + "([0-9a-f]{64})/[a-z0-9]{8,40}");

  /**
   * What finalize did.
   *
   * @param key the content-addressed key, {@code sha256/<hash>}
   * @param contentSha256 the hash
   * @param size the object's size in bytes
   * @param deduplicated whether the content was stored already (the upload was dropped)
   */
  public record Finalized(String key, String contentSha256, long size, boolean deduplicated) {}

  /**
   * The size of the content-addressed object with this hash, if it is stored.
   *
   * @param clients the store
   * @param bucket the bucket
   * @param sha256Hex the hash, lowercase hex
   * @return its size, or empty
   * @throws MiosaException {@code 503} when the store fails
   */
  public Optional<Long> storedSize(StorageClients clients, String bucket, String sha256Hex) {
    return size(clients, bucket, ObjectKeys.contentKey(sha256Hex));
  }

  /**
   * Verifies an upload and places it under its hash key: streams it from the internal endpoint,
   * computes its SHA-256, and on a match copies it to {@code sha256/<hash>}; deletes the upload in
   * every case but a concurrent change.
   *
   * @param clients the store
   * @param bucket the bucket
   * @param uploadKey the upload's key as returned by signing ({@code .uploads/<hash>/<random>})
   * @param maxObjectBytes the cap on the object's size
   * @return what was done
   * @throws MiosaException {@code 400} for a malformed key, {@code 404} when there is no such
   *     upload, {@code 422} for a hash mismatch or an oversized upload (both deleted), {@code 409}
   *     when the upload changed while being read, {@code 503} when the store fails
   */
  public Finalized finalizeUpload(
      StorageClients clients, String bucket, String uploadKey, long maxObjectBytes) {
    Matcher m = uploadKey == null ? null : UPLOAD_KEY.matcher(uploadKey);
    if (m == null || !m.matches()) {
      throw MiosaException.invalid(
          "uploadKey", "must be the uploadKey returned when the upload was signed");
    }
    String expected = m.group(1);
    String contentKey = ObjectKeys.contentKey(expected);
    var admin = clients.admin();

    String actual;
    String etag;
    long size;
    try (GetObjectResponse body =
        admin.getObject(GetObjectArgs.builder().bucket(bucket).object(uploadKey).build())) {
      etag = body.headers().get("ETag");
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      size = digest(body, sha256, maxObjectBytes);
      actual = HexFormat.of().formatHex(sha256.digest());
    } catch (ErrorResponseException e) {
      if ("NoSuchKey".equals(e.errorResponse().code())) {
        throw new MiosaException(
            ErrorCode.UPLOAD_NOT_FOUND,
            "no upload under this uploadKey (not uploaded yet, or already finalized)",
            e);
      }
      throw unavailable("read the upload", e);
    } catch (TooLarge e) {
      remove(clients, bucket, uploadKey);
      throw new MiosaException(
          ErrorCode.OBJECT_TOO_LARGE,
          "the upload is larger than maxObjectBytes (" + maxObjectBytes + "); it was deleted");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (Exception e) {
      throw unavailable("read the upload", e);
    }

    if (!actual.equals(expected)) {
      remove(clients, bucket, uploadKey);
      throw new MiosaException(
          ErrorCode.CONTENT_HASH_MISMATCH,
          "the uploaded body's SHA-256 is "
              + actual
              + ", not the declared "
              + expected
              + "; the upload was deleted");
    }

    if (size(clients, bucket, contentKey).isPresent()) {
      remove(clients, bucket, uploadKey);
      return new Finalized(contentKey, expected, size, true);
    }
    try {
      CopySource.Builder source = CopySource.builder().bucket(bucket).object(uploadKey);
      if (etag != null) {
        source.matchETag(etag);
      }
      admin.copyObject(
          CopyObjectArgs.builder()
              .bucket(bucket)
              .object(contentKey)
              .source(source.build())
              .build());
    } catch (ErrorResponseException e) {
      String code = e.errorResponse().code();
      if ("PreconditionFailed".equals(code) || "NoSuchKey".equals(code)) {
        throw new MiosaException(
            ErrorCode.UPLOAD_CHANGED,
            "the upload changed while it was being verified; finalize again",
            e);
      }
      throw unavailable("place the object under its hash", e);
    } catch (Exception e) {
      throw unavailable("place the object under its hash", e);
    }
    remove(clients, bucket, uploadKey);
    log.debug("stored {} bytes under {} in {}", size, contentKey, bucket);
    return new Finalized(contentKey, expected, size, false);
  }

  /**
   * Deletes the content-addressed uploads of a bucket that were uploaded before {@code cutoff} and
   * never finalized (finalize deletes every upload it reads, so what is left is abandoned, or a
   * body that was never checked). Nothing outside {@code .uploads/} is touched.
   *
   * @param clients the store
   * @param bucket the bucket
   * @param cutoff uploads last modified before this instant are deleted
   * @return how many were deleted
   * @throws MiosaException {@code 503} when the store fails
   */
  public int deleteAbandoned(StorageClients clients, String bucket, Instant cutoff) {
    List<String> abandoned = new ArrayList<>();
    try {
      for (Result<Item> r :
          clients
              .admin()
              .listObjects(
                  ListObjectsArgs.builder()
                      .bucket(bucket)
                      .prefix(ObjectKeys.UPLOAD_PREFIX)
                      .recursive(true)
                      .build())) {
        Item item = r.get();
        if (UPLOAD_KEY.matcher(item.objectName()).matches()
            && item.lastModified().toInstant().isBefore(cutoff)) {
          abandoned.add(item.objectName());
        }
      }
    } catch (Exception e) {
      throw unavailable("list the uploads", e);
    }
    for (String key : abandoned) {
      remove(clients, bucket, key);
    }
    if (!abandoned.isEmpty()) {
      log.info("deleted {} abandoned uploads from {}", abandoned.size(), bucket);
    }
    return abandoned.size();
  }

  private static long digest(InputStream in, MessageDigest sha256, long max)
      throws IOException, TooLarge {
    byte[] buf = new byte[64 * 1024];
    long total = 0;
    for (int n; (n = in.read(buf)) > 0; ) {
      total += n;
      if (total > max) {
        throw new TooLarge();
      }
      sha256.update(buf, 0, n);
    }
    return total;
  }

  private static Optional<Long> size(StorageClients clients, String bucket, String key) {
    try {
      return Optional.of(
          clients
              .admin()
              .statObject(StatObjectArgs.builder().bucket(bucket).object(key).build())
              .size());
    } catch (ErrorResponseException e) {
      if ("NoSuchKey".equals(e.errorResponse().code())
          || "NoSuchObject".equals(e.errorResponse().code())) {
        return Optional.empty();
      }
      throw unavailable("look the object up", e);
    } catch (Exception e) {
      throw unavailable("look the object up", e);
    }
  }

  private static void remove(StorageClients clients, String bucket, String key) {
    try {
      clients.admin().removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
    } catch (Exception e) {
      throw unavailable("delete the upload", e);
    }
  }

  static MiosaException unavailable(String what, Exception e) {
    String detail =
        e instanceof ErrorResponseException r ? " (" + r.errorResponse().code() + ")" : "";
    return new MiosaException(
        ErrorCode.BACKEND_UNAVAILABLE, "the object store could not " + what + detail, e);
  }

  private static final class TooLarge extends Exception {
    TooLarge() {
      super(null, null, false, false);
    }
  }
}
