package dev.miosa.data.api.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The production stack's {@code docker-compose.yml}: the rules it keeps (pinned images,
 * healthchecks, start order on health, required secrets, no tenant server on a host port), and
 * {@code docker-compose config} accepting it with {@code .env.example} when the binary is present.
 */
class ComposeFileTest {

  private static final Pattern SECRET_REFERENCE =
      // $${NAME} is the container's shell variable, not Compose's.
      Pattern.compile(
          "(?<!\\$)\\$\\{([A-Z0-9_]*(?:PASSWORD|KEY|TOKEN|SECRET|ROOT_USER)[A-Z0-9_]*)([^}]*)}");

  @Test
  @SuppressWarnings("unchecked")
  void everyServiceIsPinnedHealthCheckedAndStartsOnItsDependenciesHealth() throws IOException {
    Map<String, Map<String, Object>> services = ComposeFile.load().services();
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(services)
        .containsKeys("control-db", "tenant-db-1", "tenant-db-2", "pgbouncer", "redis", "minio")
        .containsKeys("api-1", "api-2", "proxy");
    services.forEach(
        (name, service) -> {
          String image = (String) service.get("image");
          soft.assertThat(image).as("%s image", name).isNotNull().doesNotEndWith(":latest");
          soft.assertThat(image).as("%s image tag", name).matches(".+:[^:/]*[0-9][^:/]*");
          soft.assertThat(service).as("%s healthcheck", name).containsKey("healthcheck");
          Object dependsOn = service.get("depends_on");
          if (dependsOn != null) {
            soft.assertThat(dependsOn).as("%s depends_on", name).isInstanceOf(Map.class);
            ((Map<String, Map<String, Object>>) dependsOn)
                .forEach(
                    (dep, cond) ->
                        soft.assertThat(cond)
                            .as("%s depends on %s", name, dep)
                            .containsEntry("condition", "service_healthy"));
          }
          if (name.contains("-db")) {
            soft.assertThat(service).as("%s publishes no port", name).doesNotContainKey("ports");
          }
        });
    soft.assertThat(services.get("api-1").get("depends_on"))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.MAP)
        .containsKeys("control-db", "tenant-db-1", "tenant-db-2", "pgbouncer", "redis", "minio");
    soft.assertAll();
  }

  @Test
  void everySecretIsRequiredWithoutADefault() throws IOException {
    String text = Files.readString(ComposeFile.repositoryRoot().resolve("docker-compose.yml"));
    Matcher m = SECRET_REFERENCE.matcher(text);
    List<String> references = new ArrayList<>();
    while (m.find()) {
      references.add(m.group());
      assertThat(m.group(2)).as(m.group()).startsWith(":?");
    }
    assertThat(references).isNotEmpty();
    assertThat(text).doesNotContainIgnoringCase("change-me");
  }

  @Test
  void dockerComposeConfigAcceptsTheExampleEnvironmentAndRefusesMissingSecrets() throws Exception {
    assumeTrue(
        onPath("docker-compose"),
        "docker-compose is not installed (Debian: apt-get install docker-compose)");
    Path root = ComposeFile.repositoryRoot();
    Result ok = compose(root, root.resolve(".env.example"));
    assertThat(ok.exitCode()).as(ok.output()).isZero();
    Path empty = Files.createTempFile("miosa-compose", ".env");
    try {
      Result missing = compose(root, empty);
      assertThat(missing.exitCode()).isNotZero();
      assertThat(missing.output()).contains("set ");
    } finally {
      Files.deleteIfExists(empty);
    }
  }

  private record Result(int exitCode, String output) {}

  /** Runs {@code docker-compose config -q} with only PATH and HOME from this environment. */
  private static Result compose(Path root, Path envFile) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                "docker-compose",
                "--project-directory",
                root.toString(),
                "-f",
                root.resolve("docker-compose.yml").toString(),
                "--env-file",
                envFile.toString(),
                "config",
                "-q")
            .redirectErrorStream(true);
    pb.environment().keySet().removeIf(k -> !k.equals("PATH") && !k.equals("HOME"));
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.waitFor(), out);
  }

  private static boolean onPath(String binary) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, binary))) {
        return true;
      }
    }
    return false;
  }
}
