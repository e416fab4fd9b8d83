package dev.miosa.data.credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Bearer tokens (admin and runtime tokens) are opaque random strings; only their SHA-256 is stored,
 * so a read of the control-plane store does not yield a usable token.
 */
public final class TokenHashes {

  /** Prefix of runtime tokens, so that a leaked one is recognisable by secret scanners. */
  public static final String RUNTIME_TOKEN_PREFIX = "mrt_";

  private TokenHashes() {}

  /** Returns a new runtime token: the prefix and 32 random bytes in base64url. */
  public static Secret newRuntimeToken() {
    return Secret.of(RUNTIME_TOKEN_PREFIX + Passwords.randomBase64Url(32).reveal());
  }

  /**
   * Hashes a token for storage and look-up.
   *
   * @param token the token as presented
   * @return the lowercase hex SHA-256 of its UTF-8 bytes (64 characters)
   */
  public static String sha256Hex(String token) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
