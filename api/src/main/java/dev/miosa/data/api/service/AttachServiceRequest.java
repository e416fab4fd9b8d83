package dev.miosa.data.api.service;

import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import java.util.Map;

/**
 * Body of {@code POST /v1/projects/{project}/services}.
 *
 * @param type {@code postgres | storage | redis | auth | volume}
 * @param name unique per project and type ({@link DataServices#NAME_REGEX}); {@code main} when
 *     omitted
 * @param config the type's settings, validated by its provider; empty when omitted
 */
public record AttachServiceRequest(
    @NotNull(message = "is required") String type,
    @Pattern(regexp = DataServices.NAME_REGEX, message = DataServices.NAME_RULE) String name,
    Map<String, Object> config) {

  /** The name, {@code main} when omitted. */
  public String nameOrMain() {
    return name == null ? "main" : name;
  }

  /** The config, empty when omitted. */
  public Map<String, Object> configOrEmpty() {
    return config == null ? Map.of() : config;
  }
}
