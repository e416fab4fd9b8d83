package dev.miosa.data.provisioner.spi;

import java.util.Map;

/**
 * What a provision call reports.
 *
 * @param action what the call changed on the backend
 * @param attributes non-secret attributes to record on the resource (merged over stored ones)
 */
public record ProvisionResult(Action action, Map<String, String> attributes) {

  /** What a reconcile step did, as in Strimzi's {@code ReconcileResult}. */
  public enum Action {
    /** The resource was created. */
    CREATED,
    /** The resource existed and was brought in line. */
    UPDATED,
    /** Nothing needed to change. */
    UNCHANGED
  }

  /** Defensive copy. */
  public ProvisionResult {
    attributes = Map.copyOf(attributes);
  }
}
