package dev.miosa.data.auth.http;

import dev.miosa.data.auth.AuthErrorCode;
import dev.miosa.data.auth.AuthException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * A request body read the way GoTrue reads it ({@code retrieveRequestParams}): at most {@link
 * #MAX_BYTES}, parsed as one JSON object whose unknown fields are ignored; a body that is not JSON,
 * or a field of the wrong type, is {@code 400 bad_json}. Error messages never quote the body (it
 * may hold a password).
 */
final class JsonBody {

  /** Largest body accepted. */
  static final int MAX_BYTES = 64 * 1024;

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};
  private static final String PREFIX = "Could not parse request body as JSON: ";

  private final ObjectNode node;
  private final JsonMapper json;

  private JsonBody(ObjectNode node, JsonMapper json) {
    this.node = node;
    this.json = json;
  }

  static JsonBody read(HttpServletRequest request, JsonMapper json) {
    byte[] bytes;
    try (InputStream in = request.getInputStream()) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new AuthException(AuthErrorCode.BAD_JSON, PREFIX + "the body could not be read");
    }
    if (bytes.length > MAX_BYTES) {
      throw new AuthException(
          AuthErrorCode.REQUEST_ENTITY_TOO_LARGE,
          "Request body too large (max " + MAX_BYTES + " bytes)");
    }
    if (bytes.length == 0) {
      throw new AuthException(AuthErrorCode.BAD_JSON, PREFIX + "unexpected end of JSON input");
    }
    JsonNode tree;
    try {
      tree = json.readTree(bytes);
    } catch (JacksonException e) {
      TokenStreamLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new AuthException(AuthErrorCode.BAD_JSON, PREFIX + "invalid JSON" + where);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      return new JsonBody(JsonNodeFactory.instance.objectNode(), json);
    }
    if (!tree.isObject()) {
      throw new AuthException(AuthErrorCode.BAD_JSON, PREFIX + "the body must be a JSON object");
    }
    return new JsonBody((ObjectNode) tree, json);
  }

  /** A string field; null when absent or JSON null. */
  String text(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isString()) {
      throw new AuthException(
          AuthErrorCode.BAD_JSON, PREFIX + "field " + field + " must be a string");
    }
    return v.stringValue();
  }

  /** An object field as a map; null when absent or JSON null. */
  Map<String, Object> object(String field) {
    JsonNode v = node.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isObject()) {
      throw new AuthException(
          AuthErrorCode.BAD_JSON, PREFIX + "field " + field + " must be an object");
    }
    return json.convertValue(v, MAP);
  }
}
