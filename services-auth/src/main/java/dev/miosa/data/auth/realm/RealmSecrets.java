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
}
