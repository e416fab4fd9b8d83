package dev.miosa.data.api.openapi;

import io.swagger.v3.core.converter.AnnotatedType;
import io.swagger.v3.core.converter.ModelConverters;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.media.Schema;
import java.util.Map;

/** Resolves shapes into {@code components/schemas} and hands out references to them. */
final class Schemas {
  private final Components components;

  Schemas(Components components) {
    this.components = components;
  }

  Schema<?> ref(Class<?> type) {
    @SuppressWarnings("rawtypes")
    Map<String, Schema> all = ModelConverters.getInstance(true).readAll(new AnnotatedType(type));
    all.forEach(
        (name, schema) -> {
          if (components.getSchemas() == null || !components.getSchemas().containsKey(name)) {
            components.addSchemas(name, schema);
          }
        });
    io.swagger.v3.oas.annotations.media.Schema named =
        type.getAnnotation(io.swagger.v3.oas.annotations.media.Schema.class);
    String name = named != null && !named.name().isEmpty() ? named.name() : type.getSimpleName();
    return new Schema<>().$ref("#/components/schemas/" + name);
  }
}
