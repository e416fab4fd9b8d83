package dev.miosa.data.storage;

import java.util.Optional;

/**
 * A storage signing or finalize request failed. The message is shown to the caller, so it never
 * holds a key, a signature or a secret.
 */
public class StorageException extends RuntimeException {

  private final StorageError code;
  private final String field;

  /**
   * @param code the machine code (decides the HTTP status)
   * @param message a human explanation without secrets
   * @param field the request field at fault, or null
   * @param cause the underlying error (for logs), or null
   */
  public StorageException(StorageError code, String message, String field, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.field = field;
  }

  /** A {@code 400} naming one request field; the message reads {@code field: problem}. */
  public static StorageException invalid(String field, String problem) {
    return new StorageException(StorageError.INVALID_REQUEST, field + ": " + problem, field, null);
  }

  /** The machine code. */
  public StorageError code() {
    return code;
  }

  /** The request field at fault, for {@link StorageError#INVALID_REQUEST}. */
  public Optional<String> field() {
    return Optional.ofNullable(field);
  }
}
