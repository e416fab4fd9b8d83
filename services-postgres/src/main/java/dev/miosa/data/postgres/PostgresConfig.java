package dev.miosa.data.postgres;

import dev.miosa.data.provisioner.spi.InvalidConfigException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The plan of a Postgres data service.
 *
 * @param connectionLimit the role's {@code CONNECTION LIMIT} per environment (1 to 10,000,
 *     default 20)
 */
public record PostgresConfig(int connectionLimit) {

  /** Default connections per role. */
  public static final int DEFAULT_CONNECTION_LIMIT = 20;

  /**
   * Reads and validates a config map.
   *
   * @param config the operator's config
   * @return the plan
   * @throws InvalidConfigException naming the bad field
   */
  public static PostgresConfig from(Map<String, Object> config) {
    int limit = DEFAULT_CONNECTION_LIMIT;
    for (var e : config.entrySet()) {
      switch (e.getKey()) {
        case "connectionLimit" -> limit = intIn(e.getValue(), "config.connectionLimit", 1, 10_000);
        default -> throw new InvalidConfigException("config." + e.getKey(), "unknown setting for postgres");
      }
    }
    return new PostgresConfig(limit);
  }

  /** The config as stored, defaults included. */
  public Map<String, Object> toMap() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("connectionLimit", connectionLimit);
    return out;
  }

  static int intIn(Object value, String field, int min, int max) {
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new InvalidConfigException(field, "must be an integer");
    }
    long v = n.longValue();
    if (v < min || v > max) {
      throw new InvalidConfigException(field, "must be between " + min + " and " + max);
    }
    return (int) v;
  }
}
