package dev.miosa.data.auth.user;

import java.util.concurrent.Semaphore;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;

/**
 * Hashes and checks realm user passwords with Argon2id (Spring Security Crypto's {@link
 * Argon2PasswordEncoder} on BouncyCastle), stored as PHC strings ({@code
 * $argon2id$v=19$m=19456,t=2,p=1$salt$hash}).
 *
 * <p>Why Argon2id and not bcrypt: bcrypt reads at most 72 bytes, so Spring refuses longer passwords
 * and passphrases would be cut off or refused; Argon2id takes the whole password, is memory-hard
 * (OWASP's first choice), and its parameters live in each hash, so they can be raised later without
 * breaking old hashes.
 *
 * <p>Each hash holds {@code memoryKib} of memory for its duration; a semaphore bounds how many run
 * at once (twice the processors) so that a burst of logins cannot exhaust the heap.
 *
 * <p>{@link #matches} with no stored hash checks against a dummy hash of the same cost, so an
 * unknown email costs the same time as a wrong password.
 */
public final class PasswordHasher {

  private final Argon2PasswordEncoder encoder;
  private final Semaphore permits;
  private final String dummyHash;

  /**
   * @param memoryKib Argon2id memory cost in KiB
   * @param iterations Argon2id time cost
   */
  public PasswordHasher(int memoryKib, int iterations) {
    this.encoder = new Argon2PasswordEncoder(16, 32, 1, memoryKib, iterations);
    this.permits = new Semaphore(Math.max(2, 2 * Runtime.getRuntime().availableProcessors()), true);
    this.dummyHash = encoder.encode("miosa-dummy-password-for-equal-timing");
  }

  /**
   * Hashes a password.
   *
   * @param password the password, whole
   * @return the PHC string
   */
  public String hash(String password) {
    return bounded(() -> encoder.encode(password));
  }

  /**
   * Checks a password.
   *
   * @param password the password given
   * @param storedHash the stored PHC string, or null when the user does not exist
   * @return true only when a hash was stored and the password matches it
   */
  public boolean matches(String password, String storedHash) {
    String against = storedHash == null ? dummyHash : storedHash;
    boolean ok = bounded(() -> encoder.matches(password, against));
    return ok && storedHash != null;
  }

  private <T> T bounded(java.util.function.Supplier<T> work) {
    permits.acquireUninterruptibly();
    try {
      return work.get();
    } finally {
      permits.release();
    }
  }
}
