package dev.miosa.data.volumes.image;

/**
 * An image operation failed: a tool exited non-zero, timed out or could not start, or a file could
 * not be written. The message names the tool and the tail of its output (which may hold paths under
 * the volume root, never secrets).
 */
public class ImageException extends RuntimeException {

  private final boolean retryable;

  /**
   * @param message what failed
   * @param retryable whether another attempt may succeed
   * @param cause the underlying error, or null
   */
  public ImageException(String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** Whether another attempt may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
