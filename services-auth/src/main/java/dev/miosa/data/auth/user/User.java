package dev.miosa.data.auth.user;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * A realm user as stored.
 *
 * @param id the user's id ({@code sub} of their tokens)
 * @param realmId the realm
 * @param email the address as shown
 * @param emailKey the canonical address
 * @param passwordHash the PHC string (never leaves the server)
 * @param role the {@code role} claim ({@code authenticated})
 * @param emailConfirmedAt when the address was confirmed, or null
 * @param lastSignInAt the last sign-in, or null
 * @param appMetadata {@code app_metadata} (provider information; only admins change it)
 * @param userMetadata {@code user_metadata} (the user's own data)
 * @param identityId the id of the user's email identity
 * @param createdAt creation time
 * @param updatedAt last change
 */
public record User(
    UUID id,
    String realmId,
    String email,
    String emailKey,
    String passwordHash,
    String role,
    Instant emailConfirmedAt,
    Instant lastSignInAt,
    Map<String, Object> appMetadata,
    Map<String, Object> userMetadata,
    UUID identityId,
    Instant createdAt,
    Instant updatedAt) {

  /** The audience of realm users and their tokens. */
  public static final String AUDIENCE = "authenticated";

  /** Whether the address is confirmed. */
  public boolean confirmed() {
    return emailConfirmedAt != null;
  }

  @Override
  public String toString() {
    return "User[" + id + "]";
  }
}
