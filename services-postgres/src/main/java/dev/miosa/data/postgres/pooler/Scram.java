package dev.miosa.data.postgres.pooler;

import dev.miosa.data.credentials.Secret;
import java.security.SecureRandom;
import java.util.regex.Pattern;
import org.postgresql.util.PasswordUtil;

/**
 * SCRAM-SHA-256 verifiers in PostgreSQL's stored format {@code
 * SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>} (RFC 5802, RFC 7677; PostgreSQL docs
 * 21.5 "Password Authentication"; the same format PgBouncer reads from its auth file).
 *
 * <p>The verifier is computed here, once per role, and given both to the server ({@code ALTER ROLE
 * ... PASSWORD '<verifier>'}, stored as is) and to PgBouncer's auth file: PgBouncer can log into
 * the server with a SCRAM secret only when its secret is identical to the server's (same salt and
 * iterations), https://www.pgbouncer.org/config.html#authentication-file-format.
 *
 * <p>The computation is pgjdbc's ({@link PasswordUtil#encodeScramSha256(char[], int, byte[])}),
 * which prepares the password as PostgreSQL's {@code pg_saslprep} does (SASLprep, falling back to
 * the raw UTF-8 bytes when the text is not valid for it).
 */
public final class Scram {

  /** PostgreSQL's default {@code scram_iterations}. */
  public static final int ITERATIONS = 4096;

  private static final Pattern VERIFIER =
      Pattern.compile(
          "SCRAM-SHA-256\\$[0-9]{1,7}:[A-Za-z0-9+/=]+\\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+");

  private static final SecureRandom RANDOM = new SecureRandom();

  private Scram() {}

  /**
   * A new verifier with a random 16-byte salt and {@link #ITERATIONS} iterations.
   *
   * @param password the plain password, not empty (PostgreSQL refuses an empty password at login)
   * @return the verifier (a secret: it lets a server impersonate this one)
   * @throws IllegalArgumentException if the password is empty
   */
  public static Secret verifier(Secret password) {
    byte[] salt = new byte[16];
    RANDOM.nextBytes(salt);
    return verifier(password, salt, ITERATIONS);
  }

  /**
   * The verifier of a password with a given salt (deterministic, for tests against the server's).
   */
  static Secret verifier(Secret password, byte[] salt, int iterations) {
    if (password.reveal().isEmpty()) {
      throw new IllegalArgumentException("a SCRAM verifier needs a non-empty password");
    }
    // PasswordUtil zeroes the array it is given once it is done with it.
    return Secret.of(
        PasswordUtil.encodeScramSha256(password.reveal().toCharArray(), iterations, salt));
  }

  /**
   * Whether a text has the shape of a stored SCRAM-SHA-256 verifier (and so can be quoted into SQL
   * and the auth file without escaping).
   */
  public static boolean isVerifier(String text) {
    return VERIFIER.matcher(text).matches();
  }
}
