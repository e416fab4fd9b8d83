package dev.miosa.data.provisioner.rotation;

import dev.miosa.data.provisioner.spi.CredentialRotation;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The promotion and removal of credential generations over a resource's stored attributes and
 * secrets (see {@link CredentialRotation}): pure functions, so that the store can apply them in one
 * statement.
 */
final class Generations {

  private Generations() {}

  /**
   * Promotes every {@code next.X} to {@code X} and the value it replaces to {@code previous.X}; a
   * name without a {@code next.} value is left alone.
   *
   * @param values attributes or ciphertexts by name
   * @param rename turns a value stored under the first name into one stored under the second
   *     (identity for attributes; decrypt and encrypt again for secrets, whose associated data is
   *     the name)
   * @return the new map
   */
  static Map<String, String> promote(
      Map<String, String> values, BiFunction<String, String, Rename> rename) {
    Map<String, String> out = new LinkedHashMap<>(values);
    for (Map.Entry<String, String> e : values.entrySet()) {
      if (!e.getKey().startsWith(CredentialRotation.NEXT)) {
        continue;
      }
      String name = e.getKey().substring(CredentialRotation.NEXT.length());
      String current = values.get(name);
      out.remove(e.getKey());
      if (current != null) {
        String previous = CredentialRotation.PREVIOUS + name;
        out.put(previous, rename.apply(name, previous).apply(current));
      }
      out.put(name, rename.apply(e.getKey(), name).apply(e.getValue()));
    }
    return out;
  }

  /**
   * Removes every {@code previous.X}.
   *
   * @param values attributes or ciphertexts by name
   * @return the new map
   */
  static Map<String, String> dropPrevious(Map<String, String> values) {
    Map<String, String> out = new LinkedHashMap<>(values);
    out.keySet().removeIf(k -> k.startsWith(CredentialRotation.PREVIOUS));
    return out;
  }

  /** Whether any {@code next.X} is recorded. */
  static boolean hasNext(Map<String, String> values) {
    return values.keySet().stream().anyMatch(k -> k.startsWith(CredentialRotation.NEXT));
  }

  /** Re-stores one value under another name. */
  @FunctionalInterface
  interface Rename {
    String apply(String value);
  }
}
