package dev.miosa.data.provisioner.resource;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.provisioner.spi.ResourceContext;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** A {@link ResourceContext} over a stored resource row; secrets are decrypted on demand. */
public final class StoredResourceContext implements ResourceContext {

  private final ResourceRow row;
  private final ResourceStore store;
  private final SecretCipher cipher;
  private final String operationId;

  /**
   * @param row the resource
   * @param store where secrets are written
   * @param cipher the at-rest cipher
   * @param operationId the running operation, or null
   */
  public StoredResourceContext(
      ResourceRow row, ResourceStore store, SecretCipher cipher, String operationId) {
    this.row = row;
    this.store = store;
    this.cipher = cipher;
    this.operationId = operationId;
  }

  /** The underlying row. */
  public ResourceRow row() {
    return row;
  }

  @Override
  public String resourceId() {
    return row.id();
  }

  @Override
  public String projectId() {
    return row.projectId();
  }

  @Override
  public String projectSlug() {
    return row.projectSlug();
  }

  @Override
  public String environmentId() {
    return row.environmentId();
  }

  @Override
  public String environmentName() {
    return row.environmentName();
  }

  @Override
  public String serviceId() {
    return row.serviceId();
  }

  @Override
  public String serviceName() {
    return row.serviceName();
  }

  @Override
  public Map<String, Object> config() {
    return row.config();
  }

  @Override
  public String backend() {
    return row.backend();
  }

  @Override
  public Map<String, String> attributes() {
    return row.attributes();
  }

  @Override
  public Optional<String> operationId() {
    return Optional.ofNullable(operationId);
  }

  @Override
  public Secret secret(String name, Supplier<Secret> generator) {
    Optional<Secret> existing = existingSecret(name);
    if (existing.isPresent()) {
      return existing.get();
    }
    String stored =
        store.putSecretIfAbsent(row.id(), name, cipher.encrypt(generator.get(), context(name)));
    row.secrets().put(name, stored);
    return cipher.decrypt(stored, context(name));
  }

  @Override
  public Optional<Secret> existingSecret(String name) {
    String stored = row.secrets().get(name);
    return stored == null ? Optional.empty() : Optional.of(cipher.decrypt(stored, context(name)));
  }

  private String context(String name) {
    return row.id() + "/" + name;
  }
}
