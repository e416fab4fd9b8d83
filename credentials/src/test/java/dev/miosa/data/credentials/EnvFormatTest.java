package dev.miosa.data.credentials;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** dotenv and shell output give back the exact values through a real POSIX shell. */
class EnvFormatTest {

  static final String NASTY =
      "line1\nline2 'single' \"double\" $HOME `uname` \\back\\slash\\ \\n %s ü $(echo pwned) '";

  @Test
  void dotenvRoundTripsThroughSetADot(@TempDir Path dir) throws Exception {
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("NASTY", NASTY);
    vars.put("EMPTY", "");
    vars.put("DATABASE_URL", "postgresql://u:p%40ss@h:5432/db?sslmode=disable");
    Path env = dir.resolve(".env");
    Files.writeString(env, EnvFormat.DOTENV.renderText(vars));
    for (var e : vars.entrySet()) {
      assertThat(sh(dir, "set -a; . ./.env; set +a; printf '%s' \"$" + e.getKey() + "\""))
          .isEqualTo(e.getValue());
    }
  }

  @Test
  void shellRoundTripsThroughEval(@TempDir Path dir) throws Exception {
    Map<String, String> vars = Map.of("NASTY", NASTY);
    Files.writeString(dir.resolve("env.sh"), EnvFormat.SHELL.renderText(vars));
    assertThat(sh(dir, "eval \"$(cat env.sh)\"; printf '%s' \"$NASTY\"")).isEqualTo(NASTY);
    assertThat(EnvFormat.SHELL.renderText(vars)).startsWith("export NASTY='");
  }

  @Test
  void formatNamesAreParsedStrictly() {
    assertThat(EnvFormat.parse("DotEnv")).isEqualTo(EnvFormat.DOTENV);
    assertThatThrownBy(() -> EnvFormat.parse("yaml")).hasMessageContaining("json, dotenv, shell");
  }

  @Test
  void variableNamesGetTheServicePrefix() {
    assertThat(VariableNames.prefixed("main", Map.of("DATABASE_URL", "x")))
        .containsOnlyKeys("DATABASE_URL");
    assertThat(VariableNames.prefixed("analytics-db", Map.of("DATABASE_URL", "x")))
        .containsOnlyKeys("ANALYTICS_DB_DATABASE_URL");
  }

  static String sh(Path dir, String script) throws Exception {
    Process p =
        new ProcessBuilder("sh", "-c", script)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor()).as(out).isZero();
    return out;
  }
}
