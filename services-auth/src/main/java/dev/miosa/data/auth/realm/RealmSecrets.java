package dev.miosa.data.auth.realm;

import dev.miosa.data.credentials.Secret;
import java.util.Optional;

/** Where a realm's signing secret is kept: the resource secret {@code jwtSecret}. */
public interface RealmSecrets {

  /**
   * Returns a realm's signing secret.
   *
   * @param realmId the realm (= resource) id
   * @return the secret, or empty when the resource or its secret does not exist
   */
  Optional<Secret> signingSecret(String realmId);

  /**
   * Returns a realm's previous signing secret while a credential rotation's grace lets its tokens
   * verify (the resource secret {@code previous.jwtSecret}).
   *
   * @param realmId the realm (= resource) id
   * @return the secret, or empty outside a grace
   */
  default Optional<Secret> previousSigningSecret(String realmId) {
    return Optional.empty();
  }
}
