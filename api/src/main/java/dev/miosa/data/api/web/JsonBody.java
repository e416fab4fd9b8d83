package dev.miosa.data.api.web;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads fields of a JSON request body (parsed as a map) with strict types, collecting every invalid
 * field so that one {@code 400} names them all. Strings are never coerced from numbers, nor numbers
 * from strings.
 */
public final class JsonBody {

  private final Map<String, Object> body;
  private final List<FieldError> errors = new ArrayList<>();

  /**
   * @param body the parsed body; null is treated as an empty body
   */
  public JsonBody(Map<String, Object> body) {
    this.body = body == null ? Map.of() : body;
  }

  /**
   * Reads a string field.
   *
   * @param field the field name
   * @param required whether absence is an error
   * @param pattern the pattern the value must match, or null
   * @param patternMessage the message when it does not
   * @return the value, or null when absent or invalid
   */
  public String string(String field, boolean required, Pattern pattern, String patternMessage) {
    Object v = body.get(field);
    if (v == null) {
      if (required) {
        errors.add(new FieldError(field, "is required"));
      }
      return null;
    }
    if (!(v instanceof String s)) {
      errors.add(new FieldError(field, "must be a string"));
      return null;
    }
    if (pattern != null && !pattern.matcher(s).matches()) {
      errors.add(new FieldError(field, patternMessage));
      return null;
    }
    return s;
  }

  /**
   * Reads an integer field.
   *
   * @return the value, or null when absent or invalid
   */
  public Long integer(String field, boolean required, long min, long max) {
    Object v = body.get(field);
    if (v == null) {
      if (required) {
        errors.add(new FieldError(field, "is required"));
      }
      return null;
    }
    if (!(v instanceof Number n)
        || n.doubleValue() != Math.rint(n.doubleValue())
        || v instanceof Double && Double.isInfinite((Double) v)) {
      errors.add(new FieldError(field, "must be an integer"));
      return null;
    }
    long l = n.longValue();
    if (l < min || l > max) {
      errors.add(new FieldError(field, "must be between " + min + " and " + max));
      return null;
    }
    return l;
  }

  /**
   * Reads an object field.
   *
   * @return the value, an empty map when absent, or null when invalid
   */
  @SuppressWarnings("unchecked")
  public Map<String, Object> object(String field) {
    Object v = body.get(field);
    if (v == null) {
      return Map.of();
    }
    if (!(v instanceof Map<?, ?> m)) {
      errors.add(new FieldError(field, "must be an object"));
      return null;
    }
    return (Map<String, Object>) m;
  }

  /** Records an error found by the caller. */
  public void reject(String field, String message) {
    errors.add(new FieldError(field, message));
  }

  /**
   * Throws a {@code 400} naming every invalid field, if any.
   *
   * @throws ApiException when a field was invalid
   */
  public void validate() {
    if (!errors.isEmpty()) {
      StringBuilder detail = new StringBuilder("invalid request: ");
      for (int i = 0; i < errors.size(); i++) {
        if (i > 0) {
          detail.append("; ");
        }
        detail.append(errors.get(i).field()).append(' ').append(errors.get(i).message());
      }
      throw new ApiException(ErrorCode.INVALID_REQUEST, detail.toString(), errors);
    }
  }
}
