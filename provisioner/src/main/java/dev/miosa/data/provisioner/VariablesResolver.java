package dev.miosa.data.provisioner;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.credentials.VariableNames;
import dev.miosa.data.provisioner.resource.ResourceRow;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.resource.StoredResourceContext;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Resolves the variables of one environment: every ready resource's provider contributes its plain
 * names, prefixed by the data service's name (see {@link VariableNames}). The result holds
 * decrypted secrets; callers cache it and must never log it.
 */
public final class VariablesResolver {

  private final ProviderRegistry registry;
  private final ResourceStore resources;
  private final SecretCipher cipher;

  /**
   * @param registry providers by type
   * @param resources the resource store
   * @param cipher the at-rest cipher
   */
  public VariablesResolver(
      ProviderRegistry registry, ResourceStore resources, SecretCipher cipher) {
    this.registry = registry;
    this.resources = resources;
    this.cipher = cipher;
  }

  /**
   * Resolves an environment's variables.
   *
   * @param environmentId the environment
   * @return an unmodifiable ordered map of name to value (empty when nothing is ready)
   */
  public Map<String, String> resolve(String environmentId) {
    Map<String, String> out = new LinkedHashMap<>();
    for (ResourceRow row : resources.ofEnvironment(environmentId)) {
      if (!"ready".equals(row.phase()) || !"present".equals(row.desired())) {
        continue;
      }
      registry
          .provider(row.serviceType())
          .ifPresent(
              p ->
                  out.putAll(
                      VariableNames.prefixed(
                          row.serviceName(),
                          p.variables(new StoredResourceContext(row, resources, cipher, null)))));
    }
    return Collections.unmodifiableMap(out);
  }

  /**
   * The names (never values) a ready resource contributes, for the data service view.
   *
   * @param row a resource
   * @return prefixed names, or an empty list when the resource is not ready
   */
  public java.util.List<String> names(ResourceRow row) {
    if (!"ready".equals(row.phase())) {
      return java.util.List.of();
    }
    return registry
        .provider(row.serviceType())
        .map(
            p ->
                java.util.List.copyOf(
                    VariableNames.prefixed(
                            row.serviceName(),
                            p.variables(new StoredResourceContext(row, resources, cipher, null)))
                        .keySet()))
        .orElse(java.util.List.of());
  }
}
