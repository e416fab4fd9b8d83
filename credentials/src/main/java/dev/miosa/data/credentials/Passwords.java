package dev.miosa.data.credentials;

import java.security.SecureRandom;

/** Generates random credentials for tenants. */
public final class Passwords {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final char[] ALPHANUMERIC =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private Passwords() {}

  /**
   * Returns a random alphanumeric password; 40 characters give about 238 bits of entropy.
   *
   * @param length number of characters, at least 32
   * @return the password
   * @throws IllegalArgumentException if length is below 32
   */
  public static Secret alphanumeric(int length) {
    if (length < 32) {
      throw new IllegalArgumentException("a generated password has at least 32 characters");
    }
    char[] out = new char[length];
    for (int i = 0; i < length; i++) {
      out[i] = ALPHANUMERIC[RANDOM.nextInt(ALPHANUMERIC.length)];
    }
    return Secret.of(new String(out));
  }

  /**
   * Returns {@code bytes} random bytes as unpadded base64url text.
   *
   * @param bytes number of random bytes, at least 16
   * @return the text
   */
  public static Secret randomBase64Url(int bytes) {
    if (bytes < 16) {
      throw new IllegalArgumentException("at least 16 random bytes");
    }
    byte[] raw = new byte[bytes];
    RANDOM.nextBytes(raw);
    return Secret.of(java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
  }
}
