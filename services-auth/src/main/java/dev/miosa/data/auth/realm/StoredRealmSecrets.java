package dev.miosa.data.auth.realm;

import dev.miosa.data.auth.AuthProvider;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.resource.StoredResourceContext;
import dev.miosa.data.provisioner.spi.CredentialRotation;
import java.util.Optional;

/** Reads a realm's signing secret from its resource row, decrypting it with the master key. */
public final class StoredRealmSecrets implements RealmSecrets {

  private final ResourceStore resources;
  private final SecretCipher cipher;

  /**
   * @param resources the control plane's resources
   * @param cipher the at-rest cipher of resource secrets
   */
  public StoredRealmSecrets(ResourceStore resources, SecretCipher cipher) {
    this.resources = resources;
    this.cipher = cipher;
  }

  @Override
  public Optional<Secret> signingSecret(String realmId) {
    return secret(realmId, AuthProvider.SECRET_NAME);
  }

  @Override
  public Optional<Secret> previousSigningSecret(String realmId) {
    return secret(realmId, CredentialRotation.PREVIOUS + AuthProvider.SECRET_NAME);
  }

  private Optional<Secret> secret(String realmId, String name) {
    return resources
        .find(realmId)
        .filter(row -> !"deleted".equals(row.phase()))
        .flatMap(
            row -> new StoredResourceContext(row, resources, cipher, null).existingSecret(name));
  }
}
