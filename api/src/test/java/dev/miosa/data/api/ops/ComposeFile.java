package dev.miosa.data.api.ops;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The repository's {@code docker-compose.yml} read as Compose reads it: YAML (merge keys resolved)
 * with {@code ${VAR}}, {@code ${VAR:-default}} and {@code ${VAR:?message}} interpolated from an env
 * file ({@code .env.example}).
 */
final class ComposeFile {

  private static final Pattern VARIABLE =
      Pattern.compile("\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

  private final Map<String, Object> root;
  private final Map<String, String> variables;

  private ComposeFile(Map<String, Object> root, Map<String, String> variables) {
    this.root = root;
    this.variables = variables;
  }

  /** The repository root: the first directory above the working directory with the compose file. */
  static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("docker-compose.yml"))
          && Files.isRegularFile(dir.resolve(".env.example"))) {
        return dir;
      }
    }
    throw new IllegalStateException("docker-compose.yml not found above the working directory");
  }

  /** Reads {@code docker-compose.yml} with the variables of {@code .env.example}. */
  @SuppressWarnings("unchecked")
  static ComposeFile load() throws IOException {
    Path root = repositoryRoot();
    Map<String, String> vars = new LinkedHashMap<>();
    for (String line : Files.readAllLines(root.resolve(".env.example"))) {
      String l = line.strip();
      int eq = l.indexOf('=');
      if (!l.isEmpty() && !l.startsWith("#") && eq > 0) {
        vars.put(l.substring(0, eq), l.substring(eq + 1));
      }
    }
    try (InputStream in = Files.newInputStream(root.resolve("docker-compose.yml"))) {
      Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      return new ComposeFile((Map<String, Object>) doc, vars);
    }
  }

  /** The services by name, uninterpolated. */
  @SuppressWarnings("unchecked")
  Map<String, Map<String, Object>> services() {
    return (Map<String, Map<String, Object>>) root.get("services");
  }

  /** A service's {@code environment} mapping, interpolated. */
  @SuppressWarnings("unchecked")
  Map<String, String> environment(String service) {
    Map<String, Object> env = (Map<String, Object>) services().get(service).get("environment");
    Map<String, String> out = new LinkedHashMap<>();
    env.forEach((k, v) -> out.put(k, interpolate(String.valueOf(v))));
    return out;
  }

  /** Interpolates a value as Compose does; a missing required variable fails with its message. */
  String interpolate(String value) {
    Matcher m = VARIABLE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else {
        String name = m.group(1);
        String op = m.group(2);
        String arg = m.group(3);
        String val = variables.get(name);
        boolean unset =
            op != null && op.startsWith(":") ? val == null || val.isEmpty() : val == null;
        if (op != null && op.endsWith("?") && unset) {
          throw new IllegalStateException("required variable " + name + ": " + arg);
        }
        replacement = unset ? (op != null && op.endsWith("-") ? arg : "") : val;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}
