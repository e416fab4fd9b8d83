package dev.miosa.data.redis;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.spi.ResourceContext;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** A resource held in memory, for provider tests (the provider itself talks to a real Redis). */
final class TestResource implements ResourceContext {
  private final String id = Ids.newId("res");
  private final String backend;
  final Map<String, Object> config = new HashMap<>();
  final Map<String, String> attributes = new HashMap<>();
  final Map<String, Secret> secrets = new HashMap<>();

  TestResource(String backend) {
    this.backend = backend;
  }

  @Override public String resourceId() { return id; }
  @Override public String projectId() { return "prj_" + id.substring(4); }
  @Override public String projectSlug() { return "acme-shop"; }
  @Override public String environmentId() { return "env_" + id.substring(4); }
  @Override public String environmentName() { return "production"; }
  @Override public String serviceId() { return "svc_" + id.substring(4); }
  @Override public String serviceName() { return "main"; }
  @Override public Map<String, Object> config() { return config; }
  @Override public String backend() { return backend; }
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
