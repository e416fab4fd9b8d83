package dev.miosa.data.provisioner.spi;

/** Typed reads of a data service's config values (parsed JSON), for {@code validateConfig}. */
public final class ConfigValues {

  private ConfigValues() {}

  /**
   * Reads a whole number within bounds. Strings are never coerced ({@code "10"} is refused).
   *
   * @param value the JSON value
   * @param field the JSON path for the error, e.g. {@code config.poolSize}
   * @param min smallest accepted value
   * @param max largest accepted value
   * @return the value
   * @throws InvalidConfigException naming {@code field} when the value is not an integer in range
   */
  public static long longIn(Object value, String field, long min, long max) {
    if (!(value instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new InvalidConfigException(field, "must be an integer");
    }
    long v = n.longValue();
    if (v < min || v > max) {
      throw new InvalidConfigException(field, "must be between " + min + " and " + max);
    }
    return v;
  }

  /** {@link #longIn} for values that fit an {@code int}. */
  public static int intIn(Object value, String field, int min, int max) {
    return (int) longIn(value, field, min, max);
  }
}
