package dev.miosa.data.api.ops;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.miosa.data.local.LocalPgBouncer;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.LocalProcesses;
import dev.miosa.data.local.LocalRedis;
import dev.miosa.data.local.LocalS3Proxy;
import dev.miosa.data.local.TestServers;
import io.lettuce.core.AclSetuserArgs;
import io.lettuce.core.RedisClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production jar ({@code target/miosa-data.jar}, as {@code package} built it) started as a
 * process with exactly the environment of the compose file's {@code api-1} service (interpolated
 * with {@code .env.example}), only its host names and ports replaced by local test servers that
 * were given the example's credentials: it becomes ready, logs JSON lines with the request id, and
 * never creates a data directory.
 */
class ComposeJarIT {

  private static final Path TMP = tempDir();
  private static Process app;
  private static int port;
  private static Path log;
  private static Map<String, String> environment;

  @BeforeAll
  static void startWithTheComposeEnvironment() throws Exception {
    ComposeFile compose = ComposeFile.load();
    Map<String, String> env = compose.environment("api-1");
    Map<String, String> example = exampleVariables(compose);

    LocalPostgres pg = TestServers.postgres();
    try (Connection c = pg.connect("postgres");
        Statement st = c.createStatement()) {
      st.execute(
          "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'miosa') THEN"
              + " CREATE ROLE miosa LOGIN; END IF; IF NOT EXISTS (SELECT FROM pg_roles WHERE"
              + " rolname = 'miosa_admin') THEN CREATE ROLE miosa_admin LOGIN SUPERUSER; END IF;"
              + " END $$");
      st.execute("ALTER ROLE miosa PASSWORD '" + example.get("CONTROL_DB_PASSWORD") + "'");
      st.execute("ALTER ROLE miosa_admin PASSWORD '" + example.get("TENANT_DB_PASSWORD") + "'");
    }
    pg.createDatabaseIfAbsent("miosa");
    try (Connection c = pg.connect("postgres");
        Statement st = c.createStatement()) {
      st.execute("ALTER DATABASE miosa OWNER TO miosa");
    }

    Path bouncerDir = Files.createDirectories(TMP.resolve("pgbouncer"));
    LocalProcesses.writePrivate(
        bouncerDir.resolve("admin-password"), example.get("PGBOUNCER_ADMIN_PASSWORD"));
    LocalPgBouncer bouncer = LocalPgBouncer.start(bouncerDir, Map.of());

    LocalRedis redis = TestServers.newRedis();
    try (RedisClient client = RedisClient.create(redis.adminUrl().reveal());
        var conn = client.connect()) {
      conn.sync()
          .aclSetuser(
              "miosa-admin",
              AclSetuserArgs.Builder.on()
                  .addPassword(example.get("REDIS_ADMIN_PASSWORD"))
                  .allKeys()
                  .allChannels()
                  .allCommands());
    }

    Path s3Dir = Files.createDirectories(TMP.resolve("s3"));
    LocalProcesses.writePrivate(
        s3Dir.resolve("credentials"),
        example.get("MINIO_ROOT_USER") + "\n" + example.get("MINIO_ROOT_PASSWORD") + "\n");
    LocalS3Proxy s3 = LocalS3Proxy.start(s3Dir);

    Map<String, String> hosts = new LinkedHashMap<>();
    hosts.put("control-db:5432", pg.host() + ":" + pg.port());
    hosts.put("tenant-db-1:5432", pg.host() + ":" + pg.port());
    hosts.put("tenant-db-2:5432", pg.host() + ":" + pg.port());
    hosts.put("pgbouncer:6432", bouncer.host() + ":" + bouncer.port());
    hosts.put("redis:6379", redis.host() + ":" + redis.port());
    hosts.put("minio:9000", "127.0.0.1:" + s3.port());
    hosts.put("/etc/pgbouncer/miosa", bouncer.configDir().toString());
    hosts.put("/var/lib/miosa/volumes", TMP.resolve("volumes").toString());
    env.replaceAll(
        (k, v) -> {
          for (var h : hosts.entrySet()) {
            v = v.replace(h.getKey(), h.getValue());
          }
          return v;
        });
    environment = env;

    port = LocalProcesses.freePort();
    environment.put("PORT", Integer.toString(port)); // the container's port, as published
    Path jar = Path.of("target", "miosa-data.jar").toAbsolutePath();
    assertThat(jar).as("built by package before this test").isRegularFile();
    Path workDir = Files.createDirectories(TMP.resolve("work"));
    log = TMP.resolve("app.log");
    ProcessBuilder pb =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m",
                "-jar",
                jar.toString())
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().clear(); // exactly the compose environment, nothing of this JVM's
    pb.environment().put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
    pb.environment().putAll(environment);
    app = pb.start();
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(250))
        .until(
            () -> {
              if (!app.isAlive()) {
                throw new AssertionError("the jar exited: " + Files.readString(log));
              }
              try {
                return get("/actuator/health/readiness", "compose-start").statusCode() == 200;
              } catch (java.io.IOException notYet) {
                return false;
              }
            });
  }

  @AfterAll
  static void stop() throws Exception {
    if (app != null) {
      app.destroy();
      if (!app.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
        app.destroyForcibly();
      }
    }
    TestServers.deleteQuietly(TMP);
  }

  @Test
  void everyComposeHostWasReplacedByALocalServer() {
    assertThat(String.join(" ", environment.values()))
        .doesNotContainPattern("(?<![\\w-])(control-db|tenant-db-\\d|pgbouncer|redis|minio):\\d")
        .doesNotContain("/etc/pgbouncer", "/var/lib/miosa");
    assertThat(environment)
        .containsKeys(
            "MIOSA_DATABASE_URL",
            "MIOSA_POSTGRES_URL",
            "MIOSA_POSTGRES_SERVERS_0",
            "MIOSA_PGBOUNCER_ADMIN_URL",
            "MIOSA_REDIS_URL",
            "MIOSA_STORAGE_URL",
            "MIOSA_VOLUMES_ROOT");
  }

  @Test
  void becomesReadyWithTheComposeEnvironment() throws Exception {
    HttpResponse<String> res = get("/actuator/health/readiness", "compose-env-0");
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.body()).contains("\"UP\"");
  }

  @Test
  void logsJsonLinesCarryingTheRequestId() throws Exception {
    HttpResponse<String> res = get("/actuator/health/liveness", "compose-env-1");
    assertThat(res.headers().firstValue("X-Request-Id")).contains("compose-env-1");
    // The compose file sets LOGGING_STRUCTURED_FORMAT_CONSOLE=ecs: one JSON object per line. The
    // access line is written when the request ends, which may be just after the answer.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(Files.readAllLines(log))
                    .anyMatch(
                        l ->
                            l.startsWith("{")
                                && l.contains("\"requestId\":\"compose-env-1\"")
                                && l.contains("GET /actuator/health/liveness 200")));
  }

  @Test
  void createsNoDataDirectoryWhenEveryServerIsConfigured() {
    assertThat(TMP.resolve("work").resolve(".miosa")).doesNotExist();
    assertThat(environment).doesNotContainKey("MIOSA_DATA_DIR");
  }

  /** A GET to the started application with a request id. */
  private static HttpResponse<String> get(String path, String requestId) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("X-Request-Id", requestId)
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, String> exampleVariables(ComposeFile compose) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String name :
        new String[] {
          "CONTROL_DB_PASSWORD",
          "TENANT_DB_PASSWORD",
          "PGBOUNCER_ADMIN_PASSWORD",
          "REDIS_ADMIN_PASSWORD",
          "MINIO_ROOT_USER",
          "MINIO_ROOT_PASSWORD"
        }) {
      out.put(name, compose.interpolate("${" + name + ":?missing in .env.example}"));
    }
    return out;
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("miosa-compose-env");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
