package dev.miosa.data.redis;

import dev.miosa.data.provisioner.spi.InvalidConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plan of a Redis data service.
 *
 * @param enabled whether the tenants may connect (default {@code true}); {@code false} switches the
 *     ACL users off and closes their open connections at the next provision, keeping keys
 */
public record RedisConfig(boolean enabled) {

  /**
   * Reads and validates a config map.
   *
   * @param config the operator's config
   * @return the plan
   * @throws InvalidConfigException naming the bad field
   */
  public static RedisConfig from(Map<String, Object> config) {
    boolean enabled = true;
    for (var e : config.entrySet()) {
      switch (e.getKey()) {
        case "enabled" -> {
          if (!(e.getValue() instanceof Boolean b)) {
            throw new InvalidConfigException("config.enabled", "must be true or false");
          }
          enabled = b;
        }
        default ->
            throw new InvalidConfigException("config." + e.getKey(), "unknown setting for redis");
      }
    }
    return new RedisConfig(enabled);
  }

  /** The config as stored, defaults included. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("enabled", enabled);
    return out;
  }
}
