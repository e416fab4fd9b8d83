package dev.miosa.data.auth.session;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.credentials.TokenHashes;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque refresh tokens: 32 random bytes in base64url (43 characters). The server keeps only their
 * SHA-256 ({@link #hash}).
 *
 * <p>A token's successor is not random but derived: {@code base64url(HMAC-SHA256(k, token))} with
 * the realm's successor key {@code k}. Whoever presents a token can therefore be handed its
 * successor again, during the grace window, although the server never stored it in the clear;
 * without the key nobody can compute it.
 */
public final class RefreshTokens {

  private RefreshTokens() {}

  /** A new random token (the first of a session). */
  public static String newToken() {
    return Passwords.randomBase64Url(32).reveal();
  }

  /** The stored form of a token: lowercase hex SHA-256. */
  public static String hash(String token) {
    return TokenHashes.sha256Hex(token);
  }

  /**
   * The token that replaces {@code token} when it is used.
   *
   * @param successorKey the realm's successor key
   * @param token the token being used
   */
  public static String successor(byte[] successorKey, String token) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(successorKey, "HmacSHA256"));
      byte[] out = mac.doFinal(token.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(out);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
