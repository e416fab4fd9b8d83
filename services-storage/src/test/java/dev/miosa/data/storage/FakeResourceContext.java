package dev.miosa.data.storage;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.spi.ResourceContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** An in-memory resource context for provider tests (the provider itself talks to a real store). */
final class FakeResourceContext implements ResourceContext {
  final String resourceId = Ids.newId("res");
  final String projectId;
  final String environment;
  final Map<String, Object> config;
  final Map<String, String> attributes = new HashMap<>();
  final Map<String, Secret> secrets = new HashMap<>();

  FakeResourceContext(String projectId, String environment, Map<String, Object> config) {
    this.projectId = projectId;
    this.environment = environment;
    this.config = config;
  }

  @Override public String resourceId() { return resourceId; }
  @Override public String projectId() { return projectId; }
  @Override public String projectSlug() { return "slug-" + projectId; }
  @Override public String environmentId() { return "env_" + environment; }
  @Override public String environmentName() { return environment; }
  @Override public String serviceId() { return "svc_" + projectId; }
  @Override public String serviceName() { return "main"; }
  @Override public Map<String, Object> config() { return config; }
  @Override public String backend() { return StorageFixture.BACKEND; }
  @Override public Map<String, String> attributes() { return attributes; }
  @Override public Optional<String> operationId() { return Optional.empty(); }

  @Override
  public Secret secret(String name, Supplier<Secret> generator) {
    return secrets.computeIfAbsent(name, n -> generator.get());
  }

  @Override
  public Optional<Secret> existingSecret(String name) {
    return Optional.ofNullable(secrets.get(name));
  }
}
