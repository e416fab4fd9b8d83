package dev.miosa.data.provisioner.spi;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A request was refused, or failed, with a stable {@link ErrorCode}. The one domain exception of
 * the control plane: the api renders it as an RFC 9457 problem detail. The detail is shown to
 * clients, so it never holds a secret, a stack trace or a path on a backend host.
 */
public class MiosaException extends RuntimeException {

  private final ErrorCode code;
  private final List<FieldError> errors;
  private final transient Map<String, Object> properties;
  private final Duration retryAfter;

  /**
   * @param code the machine code
   * @param detail a human explanation without secrets
   */
  public MiosaException(ErrorCode code, String detail) {
    this(code, detail, List.of());
  }

  /**
   * @param code the machine code
   * @param detail a human explanation without secrets
   * @param errors the invalid fields (empty unless the request was invalid)
   */
  public MiosaException(ErrorCode code, String detail, List<FieldError> errors) {
    this(code, detail, errors, Map.of(), null, null);
  }

  /**
   * @param code the machine code
   * @param detail a human explanation without secrets
   * @param cause the underlying error, for the log only
   */
  public MiosaException(ErrorCode code, String detail, Throwable cause) {
    this(code, detail, List.of(), Map.of(), null, cause);
  }

  /**
   * @param code the machine code
   * @param detail a human explanation without secrets
   * @param errors the invalid fields
   * @param properties extra members of the problem detail (e.g. a volume's {@code holders})
   * @param retryAfter when a retry may succeed ({@code Retry-After}), or null for the default
   * @param cause the underlying error, for the log only, or null
   */
  public MiosaException(
      ErrorCode code,
      String detail,
      List<FieldError> errors,
      Map<String, Object> properties,
      Duration retryAfter,
      Throwable cause) {
    super(detail, cause);
    this.code = code;
    this.errors = List.copyOf(errors);
    this.properties = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    this.retryAfter = retryAfter;
  }

  /**
   * A {@link ErrorCode#INVALID_REQUEST} naming one field; the detail reads {@code field: problem}.
   */
  public static MiosaException invalid(String field, String problem) {
    return new MiosaException(
        ErrorCode.INVALID_REQUEST, field + ": " + problem, List.of(new FieldError(field, problem)));
  }

  /** The machine code. */
  public ErrorCode code() {
    return code;
  }

  /** The invalid fields (empty unless the request was invalid). */
  public List<FieldError> errors() {
    return errors;
  }

  /** Extra members of the problem detail (empty by default). */
  public Map<String, Object> properties() {
    return properties;
  }

  /** When a retry may succeed, or null for the edge's default. */
  public Duration retryAfter() {
    return retryAfter;
  }
}
