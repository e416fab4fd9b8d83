package dev.miosa.data.auth;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the auth module, bound by the api from {@code MIOSA_AUTH_*} and handed in as a plain
 * record.
 *
 * @param publicBaseUrl the api's public base URL without a trailing slash ({@code
 *     https://data.example.com}); {@code AUTH_URL} is this plus {@code /v1/auth/{realmId}}
 * @param clockLeeway clock skew allowed when checking {@code exp} of access tokens (0 to 5 minutes)
 * @param maxFailedLogins failed logins per realm, email and client address before {@code 429}
 * @param failedLoginWindow how long failed logins are counted (and a block lasts at most)
 * @param argon2MemoryKib Argon2id memory cost in KiB (OWASP: 19,456 with 2 iterations)
 * @param argon2Iterations Argon2id time cost
 * @param realmCacheTtl how long a replica keeps a realm's settings and key in memory
 */
public record AuthSettings(
    String publicBaseUrl,
    Duration clockLeeway,
    int maxFailedLogins,
    Duration failedLoginWindow,
    int argon2MemoryKib,
    int argon2Iterations,
    Duration realmCacheTtl) {

  /** Validates and normalises (drops a trailing slash of the base URL). */
  public AuthSettings {
    Objects.requireNonNull(publicBaseUrl, "publicBaseUrl");
    while (publicBaseUrl.endsWith("/")) {
      publicBaseUrl = publicBaseUrl.substring(0, publicBaseUrl.length() - 1);
    }
    if (!publicBaseUrl.startsWith("http://") && !publicBaseUrl.startsWith("https://")) {
      throw new IllegalArgumentException("the public base URL must start with http:// or https://");
    }
    if (clockLeeway.isNegative() || clockLeeway.compareTo(Duration.ofMinutes(5)) > 0) {
      throw new IllegalArgumentException("the clock leeway must be between 0 and 5 minutes");
    }
    if (maxFailedLogins < 1) {
      throw new IllegalArgumentException("maxFailedLogins must be at least 1");
    }
    if (failedLoginWindow.isNegative() || failedLoginWindow.isZero()) {
      throw new IllegalArgumentException("failedLoginWindow must be positive");
    }
    if (argon2MemoryKib < 8 * 1024 || argon2Iterations < 1) {
      throw new IllegalArgumentException("Argon2id needs at least 8 MiB of memory and 1 iteration");
    }
  }

  /**
   * The defaults: 10 s leeway, 5 failed logins per 5 minutes, Argon2id m=19 MiB t=2 p=1, realms
   * cached for 10 s.
   *
   * @param publicBaseUrl the api's public base URL
   */
  public static AuthSettings defaults(String publicBaseUrl) {
    return new AuthSettings(
        publicBaseUrl,
        Duration.ofSeconds(10),
        5,
        Duration.ofMinutes(5),
        19_456,
        2,
        Duration.ofSeconds(10));
  }

  /** The realm's {@code AUTH_URL}. */
  public String realmUrl(String realmId) {
    return publicBaseUrl + "/v1/auth/" + realmId;
  }
}
