package dev.miosa.data.api.openapi;

import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.JsonSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;

/** Small questions and constructions on swagger-core schemas that {@link OpenApiConfig} uses. */
final class SchemaShapes {

  private SchemaShapes() {}

  /** A schema of one JSON type, written as OpenAPI 3.1 (JSON Schema) writes types. */
  static Schema<Object> typed(String type) {
    Schema<Object> s = new JsonSchema();
    s.addType(type);
    return s;
  }

  static MediaType firstMedia(ApiResponse r) {
    return r.getContent().values().iterator().next();
  }

  static Schema<?> requestSchema(Operation op) {
    return firstSchema(op.getRequestBody().getContent());
  }

  static Schema<?> firstSchema(Content content) {
    return content == null || content.isEmpty()
        ? null
        : content.values().iterator().next().getSchema();
  }

  /** No schema, or an object that names no property (a {@code Map} or {@code ?} in Java). */
  static boolean freeForm(Schema<?> s) {
    return s == null
        || (s.get$ref() == null
            && (s.getProperties() == null || s.getProperties().isEmpty())
            && s.getItems() == null
            && !isScalar(s));
  }

  static boolean isScalar(Schema<?> s) {
    String type = s.getType() != null ? s.getType() : single(s.getTypes());
    return type != null && !"object".equals(type);
  }

  static String single(java.util.Set<String> types) {
    return types == null || types.size() != 1 ? null : types.iterator().next();
  }
}
