package dev.miosa.data.auth.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.type.LogicalType;

/**
 * Request bodies of the realm API, bound into records the way GoTrue reads them ({@code
 * retrieveRequestParams}): whatever the {@code Content-Type}, at most {@link #MAX_BYTES}, parsed as
 * one JSON object whose unknown fields are ignored (auth-js sends {@code gotrue_meta_security},
 * {@code code_challenge} and more); a body that is not JSON, or a field of the wrong JSON type
 * (never coerced, as Go's decoder does not), is {@code 400 bad_json}. Error messages never quote
 * the body (it may hold a password).
 */
final class GoTrueBody {

  /** Largest body accepted. */
  static final int MAX_BYTES = 64 * 1024;

  private static final String PREFIX = "Could not parse request body as JSON: ";

  /**
   * {@code POST /signup}.
   *
   * @param email the address, or null
   * @param phone a phone number (refused: phone sign-up is not offered), or null
   * @param password the password, or null
   * @param data the user metadata, or null
   */
  record Signup(String email, String phone, String password, Map<String, Object> data) {}

  /**
   * {@code POST /token?grant_type=password}.
   *
   * @param email the address, or null
   * @param phone a phone number (refused), or null
   * @param password the password, or null
   */
  record PasswordGrant(String email, String phone, String password) {}

  /**
   * {@code POST /token?grant_type=refresh_token}.
   *
   * @param refreshToken the refresh token, or null
   */
  record RefreshGrant(@JsonProperty("refresh_token") String refreshToken) {}

  /**
   * {@code PUT /user}.
   *
   * @param email a new address, or null
   * @param password a new password, or null
   * @param data user metadata to merge, or null
   * @param appMetadata app metadata (admins only), or null
   * @param phone a new phone number (refused), or null
   */
  record UserUpdate(
      String email,
      String password,
      Map<String, Object> data,
      @JsonProperty("app_metadata") Map<String, Object> appMetadata,
      String phone) {}

  private final JsonMapper json;

  /**
   * @param base the realm API's mapper; unknown fields are ignored and no scalar is coerced
   */
  GoTrueBody(JsonMapper base) {
    this.json =
        base.rebuild()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .withCoercionConfig(
                LogicalType.Textual,
                c ->
                    c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
            .build();
  }

  /**
   * Reads the request's body into a record.
   *
   * @param request the request
   * @param type the record
   * @return the bound body (all fields null for an empty JSON document such as {@code null})
   * @throws MiosaException {@code bad_json} or {@code request_entity_too_large}
   */
  <T> T read(HttpServletRequest request, Class<T> type) {
    byte[] bytes;
    try (InputStream in = request.getInputStream()) {
      bytes = in.readNBytes(MAX_BYTES + 1);
    } catch (IOException e) {
      throw new MiosaException(ErrorCode.MALFORMED_JSON, PREFIX + "the body could not be read");
    }
    if (bytes.length > MAX_BYTES) {
      throw new MiosaException(
          ErrorCode.PAYLOAD_TOO_LARGE, "Request body too large (max " + MAX_BYTES + " bytes)");
    }
    if (bytes.length == 0) {
      throw new MiosaException(ErrorCode.MALFORMED_JSON, PREFIX + "unexpected end of JSON input");
    }
    JsonNode tree;
    try {
      tree = json.readTree(bytes);
    } catch (JacksonException e) {
      TokenStreamLocation at = e.getLocation();
      String where =
          at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
      throw new MiosaException(ErrorCode.MALFORMED_JSON, PREFIX + "invalid JSON" + where);
    }
    if (tree == null || tree.isMissingNode() || tree.isNull()) {
      tree = JsonNodeFactory.instance.objectNode();
    }
    if (!tree.isObject()) {
      throw new MiosaException(ErrorCode.MALFORMED_JSON, PREFIX + "the body must be a JSON object");
    }
    try {
      return json.treeToValue(tree, type);
    } catch (JacksonException e) {
      throw new MiosaException(ErrorCode.MALFORMED_JSON, PREFIX + wrongType(e));
    }
  }

  private static String wrongType(JacksonException e) {
    List<JacksonException.Reference> path = e.getPath();
    String field =
        path.isEmpty() || path.get(0).getPropertyName() == null
            ? null
            : path.get(0).getPropertyName();
    if (field == null) {
      return "a field has the wrong type";
    }
    Class<?> target = e instanceof MismatchedInputException m ? m.getTargetType() : null;
    if (target != null && Map.class.isAssignableFrom(target)) {
      return "field " + field + " must be an object";
    }
    if (target != null && CharSequence.class.isAssignableFrom(target)) {
      return "field " + field + " must be a string";
    }
    return "field " + field + " has the wrong type";
  }
}
