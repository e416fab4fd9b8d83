package dev.miosa.data.api.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON shape of a data service: its phase (a summary of its resources'), config, and per
 * environment the phase and the names (never values) of its variables.
 *
 * @param id id
 * @param type type
 * @param name name
 * @param phase {@code provisioning | ready | failed | deleted | deleting}: {@code deleted} is
 *     soft-deleted (restorable by id until {@code purgeAt}), {@code deleting} is being purged
 * @param config config
 * @param createdAt creation time
 * @param deletedAt when it was deleted, absent while live
 * @param purgeAt when a deleted one is (or was to be) purged for good, absent while live
 * @param environments environment name to its resource's state
 * @param operationId the operation started by this request, when there is one
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DataServiceView(
    String id,
    String type,
    String name,
    String phase,
    Map<String, Object> config,
    Instant createdAt,
    Instant deletedAt,
    Instant purgeAt,
    Map<String, EnvironmentResource> environments,
    String operationId) {

  /**
   * A data service's resource in one environment.
   *
   * @param phase the resource's phase
   * @param variables names of the variables it contributes when ready
   * @param error the last error, if any
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record EnvironmentResource(String phase, List<String> variables, String error) {}
}
