package dev.miosa.data.api.web;

import java.util.List;

/** An error answered as an RFC 9457 problem detail with a stable {@link ErrorCode}. */
public class ApiException extends RuntimeException {

  private final ErrorCode code;
  private final List<FieldError> errors;

  /**
   * @param code the machine code (decides the status)
   * @param detail a human explanation, never holding secrets
   */
  public ApiException(ErrorCode code, String detail) {
    this(code, detail, List.of());
  }

  /**
   * @param code the machine code
   * @param detail a human explanation
   * @param errors the invalid fields
   */
  public ApiException(ErrorCode code, String detail, List<FieldError> errors) {
    super(detail);
    this.code = code;
    this.errors = List.copyOf(errors);
  }

  /** A {@code 400} naming one field. */
  public static ApiException invalid(String field, String message) {
    return new ApiException(
        ErrorCode.INVALID_REQUEST, field + ": " + message, List.of(new FieldError(field, message)));
  }

  /** The machine code. */
  public ErrorCode code() {
    return code;
  }

  /** The invalid fields (empty unless the code is a validation error). */
  public List<FieldError> errors() {
    return errors;
  }
}
