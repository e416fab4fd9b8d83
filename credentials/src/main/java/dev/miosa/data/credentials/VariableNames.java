package dev.miosa.data.credentials;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Naming rules of the env-var contract: the data service named {@code main} contributes plain names
 * ({@code DATABASE_URL}); a data service named {@code analytics} contributes {@code
 * ANALYTICS_DATABASE_URL} (upper-cased, {@code -} becomes {@code _}).
 */
public final class VariableNames {

  /** The data service name whose variables carry no prefix. */
  public static final String DEFAULT_SERVICE_NAME = "main";

  private static final Pattern NAME = Pattern.compile("[A-Z_][A-Z0-9_]*");

  private VariableNames() {}

  /**
   * Returns the prefix for a data service's variables.
   *
   * @param serviceName the data service name ({@code [a-z][a-z0-9-]*})
   * @return {@code ""} for {@code main}, otherwise e.g. {@code "ANALYTICS_"}
   */
  public static String prefixFor(String serviceName) {
    if (DEFAULT_SERVICE_NAME.equals(serviceName)) {
      return "";
    }
    return serviceName.toUpperCase(java.util.Locale.ROOT).replace('-', '_') + "_";
  }

  /**
   * Applies a data service's prefix to the plain variables a resource contributes.
   *
   * @param serviceName the data service name
   * @param plain variables with plain names, in order
   * @return a new ordered map with prefixed names
   * @throws IllegalArgumentException if a resulting name is not a valid variable name
   */
  public static Map<String, String> prefixed(String serviceName, Map<String, String> plain) {
    String prefix = prefixFor(serviceName);
    Map<String, String> out = new LinkedHashMap<>();
    plain.forEach(
        (name, value) -> {
          String full = prefix + name;
          if (!NAME.matcher(full).matches()) {
            throw new IllegalArgumentException("invalid variable name: " + full);
          }
          out.put(full, value);
        });
    return out;
  }
}
