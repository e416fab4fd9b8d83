package dev.miosa.data.storage;

import java.util.Locale;

/**
 * Stable machine codes of the storage signing API's errors, each with the HTTP status it is
 * answered with (as in Nessie's {@code ErrorCode}).
 */
public enum StorageError {
  /** A request field is missing or invalid; the exception names the field. */
  INVALID_REQUEST(400, "Invalid request"),
  /** No, or a wrong, {@code STORAGE_KEY} for this storage URL. */
  UNAUTHORIZED(401, "Unauthorized"),
  /** The upload to finalize is not in the bucket (never uploaded, or already finalized). */
  UPLOAD_NOT_FOUND(404, "Upload not found"),
  /** The upload changed while it was being finalized; finalize again. */
  UPLOAD_CHANGED(409, "Upload changed during finalize"),
  /** The uploaded body's SHA-256 is not the declared one; the upload was deleted. */
  CONTENT_HASH_MISMATCH(422, "Content hash mismatch"),
  /**
   * The uploaded object is larger than the data service's {@code maxObjectBytes}; it was deleted.
   */
  OBJECT_TOO_LARGE(422, "Object too large"),
  /** The object store did not answer or failed. */
  BACKEND_UNAVAILABLE(503, "Object store unavailable");

  private final int status;
  private final String title;

  StorageError(int status, String title) {
    this.status = status;
    this.title = title;
  }

  /** The HTTP status answered. */
  public int status() {
    return status;
  }

  /** A short human title. */
  public String title() {
    return title;
  }

  /** The RFC 9457 problem type URI, e.g. {@code https://miosa.dev/problems/upload-not-found}. */
  public String typeUri() {
    return "https://miosa.dev/problems/" + name().toLowerCase(Locale.ROOT).replace('_', '-');
  }
}
