package dev.miosa.data.postgres.pooler;

import dev.miosa.data.credentials.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.Normalizer;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes SCRAM-SHA-256 verifiers in PostgreSQL's stored format {@code
 * SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>} (RFC 5802, RFC 7677; PostgreSQL docs
 * 21.5 "Password Authentication"; the same format PgBouncer reads from its auth file).
 *
 * <p>The verifier is computed here, once per role, and given both to the server ({@code ALTER ROLE
 * ... PASSWORD '<verifier>'}, stored as is) and to PgBouncer's auth file: PgBouncer can log into
 * the server with a SCRAM secret only when its secret is identical to the server's (same salt and
 * iterations), https://www.pgbouncer.org/config.html#authentication-file-format.
 *
 * <p>The password is normalised as PostgreSQL's {@code pg_saslprep} does: pure ASCII is used as it
 * is; other text is mapped and NFKC-normalised (RFC 4013), and when it holds characters SASLprep
 * prohibits, its raw UTF-8 bytes are used instead.
 */
public final class Scram {

  /** PostgreSQL's default {@code scram_iterations}. */
  public static final int ITERATIONS = 4096;

  private static final SecureRandom RANDOM = new SecureRandom();

  private Scram() {}

  /**
   * A new verifier with a random 16-byte salt.
   *
   * @param password the plain password
   * @return the verifier (a secret: it lets a server impersonate this one)
   */
  public static Secret verifier(Secret password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return verifier(password, salt, ITERATIONS);
  }

  /**
   * The verifier of a password with a given salt.
   *
   * @param password the plain password
   * @param salt the salt
   * @param iterations PBKDF2 iterations
   * @return the verifier
   */
  public static Secret verifier(Secret password, byte[] salt, int iterations) {
    try {
      byte[] salted = pbkdf2(saslPrep(password.reveal()), salt, iterations);
      byte[] clientKey = hmac(salted, "Client Key");
      byte[] storedKey = MessageDigest.getInstance("SHA-256").digest(clientKey);
      byte[] serverKey = hmac(salted, "Server Key");
      Base64.Encoder b64 = Base64.getEncoder();
      return Secret.of(
          "SCRAM-SHA-256$"
              + iterations
              + ":"
              + b64.encodeToString(salt)
              + "$"
              + b64.encodeToString(storedKey)
              + ":"
              + b64.encodeToString(serverKey));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 / PBKDF2 are not available", e);
    }
  }

  /**
   * Whether a text has the shape of a stored SCRAM-SHA-256 verifier (and so can be quoted into SQL
   * and the auth file without escaping).
   */
  public static boolean isVerifier(String text) {
    return text.matches(
        "SCRAM-SHA-256\\$[0-9]{1,7}:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+");
  }

  private static byte[] pbkdf2(byte[] password, byte[] salt, int iterations)
      throws GeneralSecurityException {
    // PBKDF2 with HMAC-SHA-256 over raw bytes: the JDK's PBEKeySpec takes chars, so compute Hi()
    // of RFC 5802 directly, which needs no charset conversion.
    Mac mac = Mac.getInstance("HmacSHA256");
    // SecretKeySpec refuses an empty key; HMAC pads keys with zeros, so one zero byte is the same.
    mac.init(new SecretKeySpec(password.length == 0 ? new byte[1] : password, "HmacSHA256"));
    mac.update(salt);
    byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
    byte[] result = u.clone();
    for (int i = 1; i < iterations; i++) {
      u = mac.doFinal(u);
      for (int j = 0; j < result.length; j++) {
        result[j] ^= u[j];
      }
    }
    return result;
  }

  private static byte[] hmac(byte[] key, String text) throws GeneralSecurityException {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key, "HmacSHA256"));
    return mac.doFinal(text.getBytes(StandardCharsets.US_ASCII));
  }

  /**
   * SASLprep as PostgreSQL applies it to passwords ({@code src/common/saslprep.c}).
   *
   * @param password the password
   * @return the bytes to hash
   */
  static byte[] saslPrep(String password) {
    byte[] raw = password.getBytes(StandardCharsets.UTF_8);
    if (password.chars().allMatch(c -> c < 0x80)) {
      return raw;
    }
    StringBuilder mapped = new StringBuilder(password.length());
    password
        .codePoints()
        .forEach(
            cp -> {
              if (isNonAsciiSpace(cp)) {
                mapped.append(' ');
              } else if (!isMappedToNothing(cp)) {
                mapped.appendCodePoint(cp);
              }
            });
    String normalized = Normalizer.normalize(mapped, Normalizer.Form.NFKC);
    boolean anyRandAl = false;
    boolean anyL = false;
    for (int i = 0; i < normalized.length(); ) {
      int cp = normalized.codePointAt(i);
      if (isProhibited(cp)) {
        return raw;
      }
      byte dir = Character.getDirectionality(cp);
      anyRandAl |=
          dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT
              || dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
      anyL |= dir == Character.DIRECTIONALITY_LEFT_TO_RIGHT;
      i += Character.charCount(cp);
    }
    if (anyRandAl) {
      int first = normalized.codePointAt(0);
      int last = normalized.codePointBefore(normalized.length());
      if (anyL || !isRandAl(first) || !isRandAl(last)) {
        return raw;
      }
    }
    return normalized.getBytes(StandardCharsets.UTF_8);
  }

  private static boolean isRandAl(int cp) {
    byte dir = Character.getDirectionality(cp);
    return dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT
        || dir == Character.DIRECTIONALITY_RIGHT_TO_LEFT_ARABIC;
  }

  /** RFC 3454 table C.1.2. */
  private static boolean isNonAsciiSpace(int cp) {
    return cp == 0x00A0
        || cp == 0x1680
        || (cp >= 0x2000 && cp <= 0x200B)
        || cp == 0x202F
        || cp == 0x205F
        || cp == 0x3000;
  }

  /** RFC 3454 table B.1. */
  private static boolean isMappedToNothing(int cp) {
    return cp == 0x00AD
        || cp == 0x034F
        || cp == 0x1806
        || (cp >= 0x180B && cp <= 0x180D)
        || (cp >= 0x200B && cp <= 0x200D)
        || cp == 0x2060
        || (cp >= 0xFE00 && cp <= 0xFE0F)
        || cp == 0xFEFF;
  }

  /** RFC 4013 section 2.3 (tables C.1.2 to C.9) and unassigned code points (A.1, approximated). */
  private static boolean isProhibited(int cp) {
    if (isNonAsciiSpace(cp) || cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) {
      return true;
    }
    int type = Character.getType(cp);
    return type == Character.CONTROL
        || type == Character.PRIVATE_USE
        || type == Character.SURROGATE
        || type == Character.UNASSIGNED
        || (cp & 0xFFFE) == 0xFFFE
        || (cp >= 0xFDD0 && cp <= 0xFDEF)
        || (cp >= 0xFFF9 && cp <= 0xFFFD)
        || (cp >= 0x2FF0 && cp <= 0x2FFB)
        || cp == 0x0340
        || cp == 0x0341
        || cp == 0x200E
        || cp == 0x200F
        || (cp >= 0x202A && cp <= 0x202E)
        || (cp >= 0x206A && cp <= 0x206F)
        || cp == 0xE0001
        || (cp >= 0xE0020 && cp <= 0xE007F)
        || cp == 0x06DD
        || cp == 0x070F
        || cp == 0x180E
        || (cp >= 0x200C && cp <= 0x200D)
        || (cp >= 0x2028 && cp <= 0x2029)
        || (cp >= 0x2060 && cp <= 0x2063)
        || (cp >= 0x1D173 && cp <= 0x1D17A);
  }
}
