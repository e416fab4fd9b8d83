package dev.miosa.data.api.web;

import dev.miosa.data.provisioner.spi.InvalidConfigException;
import jakarta.servlet.http.HttpServletRequest;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

/**
 * Turns errors into RFC 9457 problem details ({@code application/problem+json}) with {@code type},
 * {@code title}, {@code status}, {@code detail}, {@code code} and, for invalid input, {@code
 * errors}. 5xx are logged with their stack trace; no stack trace or secret reaches the client.
 */
@RestControllerAdvice
@org.springframework.core.annotation.Order(org.springframework.core.Ordered.HIGHEST_PRECEDENCE)
public class ProblemHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemHandler.class);

  /**
   * Builds a problem response.
   *
   * @param code the error code
   * @param detail the human detail
   * @param errors invalid fields
   * @return the response
   */
  public static ResponseEntity<Map<String, Object>> problem(
      ErrorCode code, String detail, List<FieldError> errors) {
    Map<String, Object> pd = body(code, detail, errors);
    HttpHeaders headers = new HttpHeaders();
    headers.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
    if (code == ErrorCode.UNAUTHORIZED) {
      headers.set(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    }
    if (code == ErrorCode.UNAVAILABLE) {
      headers.set(HttpHeaders.RETRY_AFTER, "5");
    }
    return new ResponseEntity<>(pd, headers, code.status());
  }

  /**
   * The problem detail body: {@code type}, {@code title}, {@code status}, {@code detail}, {@code
   * code} and, when given, {@code errors}.
   */
  public static Map<String, Object> body(ErrorCode code, String detail, List<FieldError> errors) {
    Map<String, Object> pd = new LinkedHashMap<>();
    pd.put("type", code.typeUri());
    pd.put("title", code.title());
    pd.put("status", code.status().value());
    pd.put("detail", detail);
    pd.put("code", code.name());
    if (!errors.isEmpty()) {
      pd.put("errors", errors);
    }
    return pd;
  }

  @ExceptionHandler(ApiException.class)
  ResponseEntity<Map<String, Object>> api(ApiException e) {
    log.debug("api error {}: {}", e.code(), e.getMessage());
    return problem(e.code(), e.getMessage(), e.errors());
  }

  @ExceptionHandler(InvalidConfigException.class)
  ResponseEntity<Map<String, Object>> config(InvalidConfigException e) {
    return problem(
        ErrorCode.INVALID_REQUEST,
        e.field() + ": " + e.getMessage(),
        List.of(new FieldError(e.field(), e.getMessage())));
  }

  @ExceptionHandler(HttpMessageNotReadableException.class)
  ResponseEntity<Map<String, Object>> unreadable(HttpMessageNotReadableException e) {
    return problem(
        ErrorCode.MALFORMED_JSON,
        "the request body must be a JSON object",
        List.of(new FieldError("body", "must be a JSON object")));
  }

  @ExceptionHandler(MissingServletRequestParameterException.class)
  ResponseEntity<Map<String, Object>> missingParam(MissingServletRequestParameterException e) {
    return problem(
        ErrorCode.INVALID_REQUEST,
        "query parameter '" + e.getParameterName() + "' is required",
        List.of(new FieldError(e.getParameterName(), "required")));
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  ResponseEntity<Map<String, Object>> typeMismatch(MethodArgumentTypeMismatchException e) {
    return problem(
        ErrorCode.INVALID_REQUEST,
        "parameter '" + e.getName() + "' has the wrong type",
        List.of(new FieldError(e.getName(), "wrong type")));
  }

  @ExceptionHandler(NoResourceFoundException.class)
  ResponseEntity<Map<String, Object>> noResource(NoResourceFoundException e) {
    return problem(ErrorCode.NOT_FOUND, "no such path", List.of());
  }

  @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
  ResponseEntity<Map<String, Object>> method(HttpRequestMethodNotSupportedException e) {
    return problem(
        ErrorCode.METHOD_NOT_ALLOWED,
        "method " + e.getMethod() + " is not allowed here",
        List.of());
  }

  @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
  ResponseEntity<Map<String, Object>> mediaType(HttpMediaTypeNotSupportedException e) {
    return problem(ErrorCode.UNSUPPORTED_MEDIA_TYPE, "send application/json", List.of());
  }

  @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
  ResponseEntity<Map<String, Object>> notAcceptable(HttpMediaTypeNotAcceptableException e) {
    return problem(ErrorCode.NOT_ACCEPTABLE, "no acceptable representation", List.of());
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<Map<String, Object>> unexpected(Exception e, HttpServletRequest request) {
    log.error("unexpected error on {} {}", request.getMethod(), request.getRequestURI(), e);
    return problem(ErrorCode.INTERNAL, "an internal error occurred; it was logged", List.of());
  }
}
