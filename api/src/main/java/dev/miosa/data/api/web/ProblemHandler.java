package dev.miosa.data.api.web;

import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import dev.miosa.data.provisioner.spi.MiosaException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.HandlerMethodValidationException;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * The one place where errors become RFC 9457 problem details ({@code application/problem+json})
 * with {@code type}, {@code title}, {@code status}, {@code detail}, {@code code} and, for invalid
 * input, {@code errors}: every {@link MiosaException} (of the api and of the services, e.g. storage
 * and volume refusals) and Spring MVC's own refusals. {@link #status} maps each {@link
 * ErrorCode.Kind} to its HTTP status. 5xx are logged with their stack trace and 4xx at debug; no
 * stack trace or secret reaches the client. {@code 401} carries {@code WWW-Authenticate: Bearer},
 * {@code 429} and {@code 503} carry {@code Retry-After}.
 */
@RestControllerAdvice
@Order(Ordered.HIGHEST_PRECEDENCE)
public class ProblemHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  /** {@code Retry-After} of a {@code 503} when the error names none. */
  static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);

  /**
   * The HTTP status of an error code: the one mapping of {@link ErrorCode.Kind}s to statuses.
   *
   * @param code the error code
   * @return its status
   */
  public static HttpStatus status(ErrorCode code) {
    return switch (code.kind()) {
      case INVALID -> HttpStatus.BAD_REQUEST;
      case UNAUTHORIZED -> HttpStatus.UNAUTHORIZED;
      case FORBIDDEN -> HttpStatus.FORBIDDEN;
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
      case METHOD_NOT_ALLOWED -> HttpStatus.METHOD_NOT_ALLOWED;
      case NOT_ACCEPTABLE -> HttpStatus.NOT_ACCEPTABLE;
      case CONFLICT -> HttpStatus.CONFLICT;
      case TOO_LARGE -> HttpStatus.CONTENT_TOO_LARGE;
      case UNSUPPORTED_MEDIA_TYPE -> HttpStatus.UNSUPPORTED_MEDIA_TYPE;
      case UNPROCESSABLE -> HttpStatus.UNPROCESSABLE_CONTENT;
      case RATE_LIMITED -> HttpStatus.TOO_MANY_REQUESTS;
      case INTERNAL -> HttpStatus.INTERNAL_SERVER_ERROR;
      case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
    };
  }

  /**
   * The generic code of an HTTP status, for errors raised outside the API's own handlers (the
   * servlet container's error dispatch and early rejections).
   *
   * @param status an HTTP status code
   * @return a generic code with that status; {@link ErrorCode#INTERNAL} for another 5xx and {@link
   *     ErrorCode#INVALID_REQUEST} for another 4xx
   */
  public static ErrorCode codeForStatus(int status) {
    for (ErrorCode c :
        new ErrorCode[] {
          ErrorCode.NOT_FOUND,
          ErrorCode.UNAUTHORIZED,
          ErrorCode.FORBIDDEN,
          ErrorCode.METHOD_NOT_ALLOWED,
          ErrorCode.NOT_ACCEPTABLE,
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          ErrorCode.PAYLOAD_TOO_LARGE,
          ErrorCode.RATE_LIMITED,
          ErrorCode.UNAVAILABLE
        }) {
      if (status(c).value() == status) {
        return c;
      }
    }
    return status >= 500 ? ErrorCode.INTERNAL : ErrorCode.INVALID_REQUEST;
  }

  /**
   * Builds a problem response with its headers.
   *
   * @param code the error code
   * @param detail the human detail
   * @param errors invalid fields
   * @return the response
   */
  public static ResponseEntity<ProblemDetail> problem(
      ErrorCode code, String detail, List<FieldError> errors) {
    return problem(new MiosaException(code, detail, errors));
  }

  /**
   * Builds the problem response of a domain exception: its body and headers.
   *
   * @param e the exception
   * @return the response
   */
  public static ResponseEntity<ProblemDetail> problem(MiosaException e) {
    ProblemDetail pd = detail(e.code(), e.getMessage(), e.errors());
    e.properties().forEach(pd::setProperty);
    return new ResponseEntity<>(pd, headers(e.code(), e.retryAfter()), status(e.code()));
  }

  /**
   * The problem detail body of an error as a plain map, for writers outside Spring MVC (the
   * security filters, the idempotency store): {@code type}, {@code title}, {@code status}, {@code
   * detail}, {@code code} and, when given, {@code errors}, the same members in the same order as
   * the advice answers. Serialize it with any JSON mapper as {@code application/problem+json}, with
   * {@link #headers}.
   */
  public static Map<String, Object> body(ErrorCode code, String detail, List<FieldError> errors) {
    Map<String, Object> pd = new LinkedHashMap<>();
    pd.put("type", code.typeUri());
    pd.put("title", code.title());
    pd.put("status", status(code).value());
    pd.put("detail", detail);
    pd.put("code", code.name());
    if (!errors.isEmpty()) {
      pd.put("errors", errors);
    }
    return pd;
  }

  /**
   * The headers of a problem response: the content type, {@code WWW-Authenticate: Bearer} on {@code
   * 401}, {@code Retry-After} on {@code 429} and {@code 503}.
   *
   * @param code the error code
   * @param retryAfter the delay to advertise, or null for the default (5 s on 503, 1 s on 429)
   * @return the headers
   */
  public static HttpHeaders headers(ErrorCode code, Duration retryAfter) {
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    switch (code.kind()) {
      case UNAUTHORIZED -> headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
      case UNAVAILABLE ->
          headers.set(
              HttpHeaders.RETRY_AFTER,
              seconds(retryAfter == null ? DEFAULT_RETRY_AFTER : retryAfter));
      case RATE_LIMITED ->
          headers.set(
              HttpHeaders.RETRY_AFTER,
              seconds(retryAfter == null ? Duration.ofSeconds(1) : retryAfter));
      default -> {}
    }
    return headers;
  }

  private static String seconds(Duration d) {
    return Long.toString(Math.max(1, (d.toMillis() + 999) / 1000));
  }

  private static ProblemDetail detail(ErrorCode code, String detail, List<FieldError> errors) {
    ProblemDetail pd = ProblemDetail.forStatusAndDetail(status(code), detail);
    pd.setType(URI.create(code.typeUri()));
    pd.setTitle(code.title());
    pd.setProperty("code", code.name());
    if (!errors.isEmpty()) {
      pd.setProperty("errors", errors);
    }
    return pd;
  }

  /** The {@code detail} of a 400 naming fields: {@code invalid request: slug must be ...; ...}. */
  static String invalidDetail(List<FieldError> errors) {
    StringBuilder detail = new StringBuilder("invalid request: ");
    for (int i = 0; i < errors.size(); i++) {
      if (i > 0) {
        detail.append("; ");
      }
      detail.append(errors.get(i).field()).append(' ').append(errors.get(i).message());
    }
    return detail.toString();
  }

  /** The most invalid fields one answer names (a hostile body may have thousands). */
  static final int MAX_FIELD_ERRORS = 50;

  /** A {@code 400} naming every field (at most {@link #MAX_FIELD_ERRORS}), sorted by name. */
  static MiosaException invalid(List<FieldError> errors) {
    List<FieldError> sorted =
        errors.stream()
            .distinct()
            .sorted(Comparator.comparing(FieldError::field).thenComparing(FieldError::message))
            .limit(MAX_FIELD_ERRORS)
            .toList();
    return new MiosaException(ErrorCode.INVALID_REQUEST, invalidDetail(sorted), sorted);
  }

  @ExceptionHandler(MiosaException.class)
  ResponseEntity<ProblemDetail> refused(MiosaException e, HttpServletRequest request) {
    if (status(e.code()).is5xxServerError()) {
      log.error(
          "{} on {} {}: {}",
          e.code(),
          request.getMethod(),
          request.getRequestURI(),
          e.getMessage(),
          e);
    } else {
      log.debug("{} on {} {}: {}", e.code(), request.getMethod(), request.getRequestURI(), e);
    }
    return problem(e);
  }

  @ExceptionHandler(MethodArgumentNotValidException.class)
  ResponseEntity<ProblemDetail> notValid(MethodArgumentNotValidException e) {
    List<FieldError> errors =
        e.getBindingResult().getFieldErrors().stream()
            .map(f -> new FieldError(f.getField(), String.valueOf(f.getDefaultMessage())))
            .toList();
    return problem(invalid(errors));
  }

  @ExceptionHandler(HandlerMethodValidationException.class)
  ResponseEntity<ProblemDetail> methodNotValid(HandlerMethodValidationException e) {
    List<FieldError> errors =
        e.getParameterValidationResults().stream()
            .flatMap(
                r ->
                    r.getResolvableErrors().stream()
                        .map(
                            m ->
                                new FieldError(
                                    r.getMethodParameter().getParameterName(),
                                    String.valueOf(m.getDefaultMessage()))))
            .toList();
    return problem(invalid(errors));
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<ProblemDetail> unreadable(HttpMessageNotReadableException e) {
    log.debug("unreadable body: {}", e.getMessage());
    return problem(
        ErrorCode.MALFORMED_JSON,
        "the request body must be a JSON object",
        List.of(new FieldError("body", "must be a JSON object")));
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  ResponseEntity<ProblemDetail> missingParam(MissingServletRequestParameterException e) {
    return problem(
        ErrorCode.INVALID_REQUEST,
        "query parameter '" + e.getParameterName() + "' is required",
        List.of(new FieldError(e.getParameterName(), "required")));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<ProblemDetail> typeMismatch(MethodArgumentTypeMismatchException e) {
    return problem(
        ErrorCode.INVALID_REQUEST,
        "parameter '" + e.getName() + "' has the wrong type",
        List.of(new FieldError(e.getName(), "wrong type")));
  }

  @ExceptionHandler(NoResourceFoundException.class)
  ResponseEntity<ProblemDetail> noResource(NoResourceFoundException e) {
    return problem(ErrorCode.NOT_FOUND, "no such path", List.of());
  }

  @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
  ResponseEntity<ProblemDetail> method(HttpRequestMethodNotSupportedException e) {
    return problem(
        ErrorCode.METHOD_NOT_ALLOWED,
        "method " + e.getMethod() + " is not allowed here",
        List.of());
  }

  @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
  ResponseEntity<ProblemDetail> mediaType(HttpMediaTypeNotSupportedException e) {
    return problem(
        ErrorCode.UNSUPPORTED_MEDIA_TYPE,
        "send the body as application/json",
        List.of(new FieldError("Content-Type", "must be application/json")));
  }

  @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
  ResponseEntity<ProblemDetail> notAcceptable(HttpMediaTypeNotAcceptableException e) {
    return problem(ErrorCode.NOT_ACCEPTABLE, "no acceptable representation", List.of());
  }

  /** Tomcat's refusal of a query string it cannot decode (a bad {@code %} escape). */
  @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
  ResponseEntity<ProblemDetail> badParameters(
      org.apache.tomcat.util.http.InvalidParameterException e) {
    return problem(
        ErrorCode.INVALID_REQUEST,
        "the query string is not validly percent-encoded",
        List.of(new FieldError("query", "is not validly percent-encoded")));
  }

  /**
   * The control-plane store cannot be reached or dropped the connection (a restart, a failover, a
   * pool waiting too long): {@code 503} with {@code Retry-After}, since a retry may well work,
   * never a {@code 500}.
   */
  @ExceptionHandler({
    org.springframework.dao.DataAccessResourceFailureException.class,
    org.springframework.dao.TransientDataAccessException.class,
    org.springframework.dao.RecoverableDataAccessException.class
  })
  ResponseEntity<ProblemDetail> storeUnavailable(Exception e, HttpServletRequest request) {
    log.warn(
        "control-plane store unavailable on {} {}: {}",
        request.getMethod(),
        request.getRequestURI(),
        e.toString());
    return problem(
        ErrorCode.UNAVAILABLE,
        "the control-plane store is unavailable for a moment; retry shortly",
        List.of());
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e, HttpServletRequest request) {
    log.error("unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
    return problem(ErrorCode.INTERNAL, "an internal error occurred; it was logged", List.of());
  }
}
