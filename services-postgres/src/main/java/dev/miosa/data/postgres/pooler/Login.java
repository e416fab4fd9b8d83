package dev.miosa.data.postgres.pooler;

import dev.miosa.data.credentials.Secret;
import java.util.Objects;

/**
 * A login role of a tenant database beside the one its {@link PoolerEntry} names (a credential
 * being introduced or retired by a rotation), with its SCRAM verifier for PgBouncer's auth file.
 *
 * @param role the login role, a plain lowercase identifier
 * @param scramVerifier its verifier, identical to the server's
 */
public record Login(String role, Secret scramVerifier) {

  /** Checks that both can be written into the auth file without quoting. */
  public Login {
    Objects.requireNonNull(scramVerifier, "scramVerifier");
    if (!role.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("role must be a plain lowercase identifier");
    }
    if (!Scram.isVerifier(scramVerifier.reveal())) {
      throw new IllegalArgumentException("not a SCRAM-SHA-256 verifier");
    }
  }
}
