package dev.miosa.data.provisioner.testing;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.spi.CredentialRotation;
import dev.miosa.data.provisioner.spi.ResourceContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A resource context held in memory, for provider tests (the provider under test still talks to a
 * real backend server). Shared with the service modules through the provisioner's test jar.
 */
public final class InMemoryResourceContext implements ResourceContext {

  private final String resourceId;
  private final String projectId;
  private final String environment;
  private final String backend;
  private final Map<String, Object> config;
  private final Map<String, String> attributes = new HashMap<>();
  private final Map<String, Secret> secrets = new HashMap<>();

  /**
   * @param resourceId the resource id ({@code res_...})
   * @param projectId the project id
   * @param environment the environment name
   * @param backend the backend server id
   * @param config the validated config
   */
  public InMemoryResourceContext(
      String resourceId,
      String projectId,
      String environment,
      String backend,
      Map<String, Object> config) {
    this.resourceId = resourceId;
    this.projectId = projectId;
    this.environment = environment;
    this.backend = backend;
    this.config = config;
  }

  /** A new resource of project {@code prj_test} with a fresh id. */
  public static InMemoryResourceContext of(
      String environment, String backend, Map<String, Object> config) {
    return new InMemoryResourceContext(Ids.newId("res"), "prj_test", environment, backend, config);
  }

  @Override
  public String resourceId() {
    return resourceId;
  }

  @Override
  public String projectId() {
    return projectId;
  }

  @Override
  public String projectSlug() {
    return "slug-" + projectId;
  }

  @Override
  public String environmentId() {
    return "env_" + environment;
  }

  @Override
  public String environmentName() {
    return environment;
  }

  @Override
  public String serviceId() {
    return "svc_" + projectId;
  }

  @Override
  public String serviceName() {
    return "main";
  }

  @Override
  public Map<String, Object> config() {
    return config;
  }

  @Override
  public String backend() {
    return backend;
  }

  /** The attributes, mutable: tests merge a provision result into them. */
  @Override
  public Map<String, String> attributes() {
    return attributes;
  }

  @Override
  public Optional<String> operationId() {
    return Optional.empty();
  }

  @Override
  public Secret secret(String name, Supplier<Secret> generator) {
    return secrets.computeIfAbsent(name, n -> generator.get());
  }

  @Override
  public Optional<Secret> existingSecret(String name) {
    return Optional.ofNullable(secrets.get(name));
  }

  /**
   * Does what the control plane does when a rotation is promoted: every {@code next.X} secret and
   * attribute becomes {@code X}, the value it replaces {@code previous.X}.
   */
  public void promoteNext() {
    promote(secrets);
    promote(attributes);
  }

  /** Does what the control plane does after a revoke: forgets every {@code previous.X}. */
  public void dropPrevious() {
    secrets.keySet().removeIf(k -> k.startsWith(CredentialRotation.PREVIOUS));
    attributes.keySet().removeIf(k -> k.startsWith(CredentialRotation.PREVIOUS));
  }

  private static <V> void promote(Map<String, V> values) {
    for (String key : java.util.List.copyOf(values.keySet())) {
      if (key.startsWith(CredentialRotation.NEXT)) {
        String name = key.substring(CredentialRotation.NEXT.length());
        V current = values.get(name);
        if (current != null) {
          values.put(CredentialRotation.PREVIOUS + name, current);
        }
        values.put(name, values.remove(key));
      }
    }
  }
}
