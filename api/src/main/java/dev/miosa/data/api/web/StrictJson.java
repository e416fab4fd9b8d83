package dev.miosa.data.api.web;

import dev.miosa.data.provisioner.spi.FieldError;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Validator;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.core.ResolvableType;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpInputMessage;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.converter.json.JacksonJsonHttpMessageConverter;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectReader;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.databind.type.LogicalType;

/**
 * The JSON converter of request bodies: binds records strictly and names every bad field at once.
 *
 * <ul>
 *   <li>Unknown fields are refused ({@code FAIL_ON_UNKNOWN_PROPERTIES}).
 *   <li>No coercion: a string is never read from a number or a boolean, a number or a boolean never
 *       from a string, an integer never from a float.
 *   <li>A body must be well-formed UTF-8 and hold no unpaired surrogate (an escaped U+D800 alone):
 *       either is a {@code 400}, never text stored with {@code ?} in its place.
 *   <li>When binding fails, each field of the body is bound alone to find every field at fault
 *       (Jackson stops at the first), the rest is bound and checked by Bean Validation, and one
 *       {@code 400} names them all.
 * </ul>
 *
 * Responses are written as by Spring's converter (the application's mapper settings apply).
 */
public class StrictJson extends JacksonJsonHttpMessageConverter {

  private final JsonMapper strict;
  private final Validator validator;

  /**
   * @param base the application's mapper (its modules and naming are kept)
   * @param validator checks the fields that did bind, so that one answer names every bad field
   */
  public StrictJson(JsonMapper base, Validator validator) {
    super(strict(base));
    this.strict = getMapper();
    this.validator = validator;
  }

  /**
   * The strict variant of a mapper: unknown fields fail and no scalar is coerced.
   *
   * @param base the mapper to derive from
   * @return the strict mapper
   */
  public static JsonMapper strict(JsonMapper base) {
    return base.rebuild()
        .enable(tools.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
        .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
        .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
        .disable(DeserializationFeature.UNWRAP_SINGLE_VALUE_ARRAYS)
        .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
        .withCoercionConfig(
            LogicalType.Textual,
            c ->
                c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .withCoercionConfig(
            LogicalType.Integer,
            c ->
                c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .withCoercionConfig(
            LogicalType.Float,
            c ->
                c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
        .withCoercionConfig(
            LogicalType.Boolean,
            c ->
                c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                    .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
        .build();
  }

  @Override
  public Object read(ResolvableType type, HttpInputMessage input, Map<String, Object> hints)
      throws IOException {
    Class<?> raw = type.toClass();
    byte[] bytes = input.getBody().readAllBytes();
    requireUtf8(bytes);
    JsonNode tree;
    try {
      tree = strict.readTree(bytes);
    } catch (JacksonException e) {
      throw new HttpMessageNotReadableException("malformed JSON", e, replay(bytes, input));
    }
    requireWellFormed(tree, "");
    if (!raw.isRecord()) {
      return super.read(type, replay(bytes, input), hints);
    }
    if (tree == null || !tree.isObject()) {
      throw new HttpMessageNotReadableException(
          "the request body must be a JSON object", replay(bytes, input));
    }
    JavaType javaType = strict.constructType(type.getType());
    ObjectReader reader = strict.readerFor(javaType);
    try {
      return reader.readValue(tree);
    } catch (JacksonException e) {
      throw ProblemHandler.invalid(everyBadField(reader, (ObjectNode) tree, e));
    }
  }

  /**
   * Refuses a body that is not well-formed UTF-8 (RFC 8259 section 8.1): invalid bytes, overlong
   * forms and encoded surrogates would otherwise be read as replacement characters and stored.
   */
  private static void requireUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
    } catch (CharacterCodingException e) {
      throw ProblemHandler.invalid(List.of(new FieldError("body", "must be valid UTF-8")));
    }
  }

  /**
   * Refuses strings (names and values) with an unpaired surrogate, which JSON's escapes can spell
   * (U+D800 alone) but no UTF-8 text holds: stored, it would become {@code ?}.
   */
  private static void requireWellFormed(JsonNode node, String path) {
    if (node.isString()) {
      if (!wellFormed(node.asString())) {
        throw ProblemHandler.invalid(
            List.of(
                new FieldError(
                    path.isEmpty() ? "body" : path, "must be valid Unicode (a lone surrogate)")));
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> field : node.properties()) {
        String child = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        if (!wellFormed(field.getKey())) {
          throw ProblemHandler.invalid(
              List.of(
                  new FieldError(
                      path.isEmpty() ? "body" : path,
                      "has a field name that is not valid Unicode (a lone surrogate)")));
        }
        requireWellFormed(field.getValue(), child);
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        requireWellFormed(node.get(i), path + "[" + i + "]");
      }
    }
  }

  private static boolean wellFormed(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
          return false;
        }
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private List<FieldError> everyBadField(ObjectReader reader, ObjectNode body, JacksonException e) {
    List<FieldError> errors = new ArrayList<>();
    ObjectNode rest = body.deepCopy();
    for (Map.Entry<String, JsonNode> field : body.properties()) {
      ObjectNode alone = strict.createObjectNode();
      alone.set(field.getKey(), field.getValue());
      try {
        reader.readValue(alone);
      } catch (JacksonException bad) {
        errors.add(fieldError(field.getKey(), bad));
        rest.remove(field.getKey());
      }
    }
    if (errors.isEmpty()) {
      errors.add(fieldError("body", e));
      return errors;
    }
    Set<String> named = new HashSet<>();
    errors.forEach(f -> named.add(f.field()));
    try {
      Object partial = reader.readValue(rest);
      for (ConstraintViolation<Object> v : validator.validate(partial)) {
        String path = v.getPropertyPath().toString();
        if (named.stream().noneMatch(n -> path.equals(n) || path.startsWith(n + "."))) {
          errors.add(new FieldError(path, v.getMessage()));
        }
      }
    } catch (JacksonException ignored) {
      // the fields named already are the answer
    }
    return errors;
  }

  /** The field at fault (a JSON path such as {@code config.connectionLimit}) and what is wrong. */
  static FieldError fieldError(String fallback, JacksonException e) {
    String path = path(e.getPath());
    if (path.isEmpty()) {
      path = fallback;
    }
    if (e instanceof UnrecognizedPropertyException) {
      return new FieldError(path, "is not a known field");
    }
    if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
      return new FieldError(path, "must be " + describe(m.getTargetType()));
    }
    return new FieldError(path, "has the wrong type");
  }

  private static String path(List<JacksonException.Reference> refs) {
    StringBuilder out = new StringBuilder();
    for (JacksonException.Reference r : refs) {
      if (r.getPropertyName() != null) {
        if (!out.isEmpty()) {
          out.append('.');
        }
        out.append(r.getPropertyName());
      } else if (r.getIndex() >= 0) {
        out.append('[').append(r.getIndex()).append(']');
      }
    }
    return out.toString();
  }

  private static String describe(Class<?> type) {
    if (CharSequence.class.isAssignableFrom(type) || type == char.class || type.isEnum()) {
      return "a string";
    }
    if (type == Integer.class
        || type == Long.class
        || type == Short.class
        || type == int.class
        || type == long.class
        || type == short.class
        || type == java.math.BigInteger.class) {
      return "an integer";
    }
    if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class) {
      return "a number";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "a boolean";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "an array";
    }
    return "an object";
  }

  private static HttpInputMessage replay(byte[] bytes, HttpInputMessage input) {
    return new HttpInputMessage() {
      @Override
      public InputStream getBody() {
        return new ByteArrayInputStream(bytes);
      }

      @Override
      public HttpHeaders getHeaders() {
        return input.getHeaders();
      }
    };
  }
}
