package dev.miosa.data.credentials;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Objects;

/**
 * A secret value (password, signing key, token). Its {@link #toString()} prints a marker, never the
 * value, so a secret that slips into a log line or an exception message stays hidden. Call {@link
 * #reveal()} only where the value must leave the process (a connection URL handed to the tenant, an
 * SQL statement sent to the tenant server).
 */
public final class Secret {

  private final String value;

  private Secret(String value) {
    this.value = Objects.requireNonNull(value, "value");
  }

  /**
   * Wraps a value.
   *
   * @param value the secret text, not null
   * @return the secret
   */
  public static Secret of(String value) {
    return new Secret(value);
  }

  /** Returns the secret text. */
  public String reveal() {
    return value;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof Secret s
        && MessageDigest.isEqual(
            value.getBytes(StandardCharsets.UTF_8), s.value.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public int hashCode() {
    return value.hashCode();
  }

  @Override
  public String toString() {
    return "Secret[****]";
  }
}
