package dev.miosa.data.provisioner.spi;

/**
 * A provisioning step failed. The message is recorded on the operation and shown to operators, so
 * it must never hold a secret.
 */
public class ProvisioningException extends RuntimeException {

  private final String code;
  private final boolean retryable;

  /**
   * @param code a stable machine code ({@code BACKEND_UNAVAILABLE})
   * @param message a human message without secrets
   * @param retryable whether another attempt may succeed
   * @param cause the underlying error (kept for logs; its message is not shown to clients)
   */
  public ProvisioningException(String code, String message, boolean retryable, Throwable cause) {
    super(message, cause);
    this.code = code;
    this.retryable = retryable;
  }

  /** The machine code. */
  public String code() {
    return code;
  }

  /** Whether another attempt may succeed. */
  public boolean retryable() {
    return retryable;
  }
}
