package dev.miosa.data.auth;

import static dev.miosa.data.provisioner.spi.ConfigValues.intIn;

import dev.miosa.data.provisioner.spi.InvalidConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plan of an auth data service: the settings every realm (one per environment) of it uses.
 *
 * @param passwordMinLength fewest characters (Unicode code points) a new password may have, 6 to
 *     128, default 6 (GoTrue's default)
 * @param accessTokenTtlSeconds lifetime of access tokens, 60 to 86,400, default 3,600
 * @param refreshTokenReuseIntervalSeconds grace window in which a just-rotated refresh token may be
 *     used again (two tabs refreshing at once), 0 to 60, default 10
 * @param disableSignup whether {@code POST /signup} is refused
 */
public record AuthConfig(
    int passwordMinLength,
    int accessTokenTtlSeconds,
    int refreshTokenReuseIntervalSeconds,
    boolean disableSignup) {

  /** The defaults. */
  public static final AuthConfig DEFAULTS = new AuthConfig(6, 3600, 10, false);

  /**
   * Reads and validates a config map; absent keys take their defaults.
   *
   * @param config the operator's config (JSON values)
   * @return the plan
   * @throws InvalidConfigException naming the bad field ({@code config.passwordMinLength})
   */
  public static AuthConfig from(Map<String, Object> config) {
    int minLength = DEFAULTS.passwordMinLength;
    int ttl = DEFAULTS.accessTokenTtlSeconds;
    int reuse = DEFAULTS.refreshTokenReuseIntervalSeconds;
    boolean disableSignup = DEFAULTS.disableSignup;
    for (var e : config.entrySet()) {
      String field = "config." + e.getKey();
      switch (e.getKey()) {
        case "passwordMinLength" -> minLength = intIn(e.getValue(), field, 6, 128);
        case "accessTokenTtlSeconds" -> ttl = intIn(e.getValue(), field, 60, 86_400);
        case "refreshTokenReuseIntervalSeconds" -> reuse = intIn(e.getValue(), field, 0, 60);
        case "disableSignup" -> {
          if (!(e.getValue() instanceof Boolean b)) {
            throw new InvalidConfigException(field, "must be true or false");
          }
          disableSignup = b;
        }
        default -> throw new InvalidConfigException(field, "unknown setting for auth");
      }
    }
    return new AuthConfig(minLength, ttl, reuse, disableSignup);
  }

  /** The config as stored, defaults included. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("passwordMinLength", passwordMinLength);
    out.put("accessTokenTtlSeconds", accessTokenTtlSeconds);
    out.put("refreshTokenReuseIntervalSeconds", refreshTokenReuseIntervalSeconds);
    out.put("disableSignup", disableSignup);
    return out;
  }
}
