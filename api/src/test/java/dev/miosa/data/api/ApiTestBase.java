package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.LocalPgBouncer;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.LocalS3Proxy;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.postgres.ConnectionUrls;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Base of end-to-end tests: the whole application on a random port, its store a fresh database on
 * the shared test PostgreSQL, tenants on the same server, requests over real HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
abstract class ApiTestBase {

  static final String ADMIN_TOKEN = "test-admin-token-0123456789";
  private static final AtomicInteger SLUGS = new AtomicInteger();

  @LocalServerPort int port;

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) throws Exception {
    LocalPostgres pg = TestServers.postgres();
    pg.createDatabaseIfAbsent("miosa_api_test");
    String url = superuserUrl(pg, "miosa_api_test");
    String tenantUrl = superuserUrl(pg, "postgres");
    Path dataDir = Files.createTempDirectory("miosa-api-test");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> TestServers.deleteQuietly(dataDir)));
    registry.add("miosa.data-dir", dataDir::toString);
    registry.add("miosa.database-url", () -> url);
    registry.add("miosa.postgres.url", () -> tenantUrl);
    // Tenants' DATABASE_URL goes through a real PgBouncer, as in production.
    LocalPgBouncer bouncer = TestServers.pgbouncer();
    registry.add("miosa.pgbouncer.admin-url", () -> pgbouncerAdminUrl(bouncer));
    registry.add("miosa.pgbouncer.config-dir", () -> bouncer.configDir().toString());
    registry.add("miosa.master-key", SecretCipher::generateKeyBase64);
    registry.add("miosa.admin-token", () -> ADMIN_TOKEN);
    // Object storage on the shared test S3Proxy: the control plane reaches it at 127.0.0.1,
    // browsers at localhost, so a URL signed for the wrong host fails.
    LocalS3Proxy s3 = TestServers.s3proxy();
    registry.add("miosa.storage.url", () -> "http://127.0.0.1:" + s3.port());
    registry.add("miosa.storage.public-url", () -> "http://localhost:" + s3.port());
    registry.add("miosa.storage.access-key", s3::accessKey);
    registry.add("miosa.storage.secret-key", () -> s3.secretKey().reveal());
    // The runtime env listener on a free port of the loopback interface.
    registry.add("miosa.runtime-listener.port", () -> "0");
    registry.add("miosa.runtime-listener.address", () -> "127.0.0.1");
    registry.add("miosa.worker.poll-interval", () -> "100ms");
    registry.add("miosa.worker.backoff-base", () -> "200ms");
    registry.add("miosa.redis.reconcile-interval", () -> "200ms");
    registry.add("miosa.postgres.backups.scheduler-interval", () -> "200ms");
    // Webhook targets are local test servers; retries come quickly.
    registry.add("miosa.webhook.allowed-targets", () -> "loopback");
    registry.add("miosa.webhook.backoff-base", () -> "200ms");
    registry.add("miosa.webhook.poll-interval", () -> "200ms");
    registry.add("miosa.webhook.timeout", () -> "5s");
    // Purges at purgeAt are started by the tests themselves (ServiceDeletion.purgeDue).
    registry.add("miosa.deleted.sweep-interval", () -> "1h");
  }

  /** The admin URL of a local PostgreSQL's superuser on one of its databases, without TLS. */
  static String superuserUrl(LocalPostgres pg, String database) {
    return ConnectionUrls.uri(
        pg.host(),
        pg.port(),
        database,
        LocalPostgres.SUPERUSER,
        pg.superuserPassword().reveal(),
        "disable");
  }

  /** The admin console URL of a local PgBouncer, without TLS. */
  static String pgbouncerAdminUrl(LocalPgBouncer bouncer) {
    return ConnectionUrls.uri(
        bouncer.host(),
        bouncer.port(),
        "pgbouncer",
        bouncer.adminUser(),
        bouncer.adminPassword().reveal(),
        "disable");
  }

  Http admin() {
    return new Http("http://127.0.0.1:" + port, ADMIN_TOKEN);
  }

  Http anonymous() {
    return new Http("http://127.0.0.1:" + port, null);
  }

  static String uniqueSlug(String prefix) {
    return prefix + "-" + ProcessHandle.current().pid() + "-" + SLUGS.incrementAndGet();
  }

  /** Creates a project and returns its slug. */
  String createProject(String prefix) {
    String slug = uniqueSlug(prefix);
    var res = admin().post("/v1/projects", "{\"slug\":\"" + slug + "\",\"name\":\"Test\"}");
    if (res.status() != 201) {
      throw new AssertionError("project creation failed: " + res.body());
    }
    return slug;
  }

  /** Mints a runtime token for an environment of a project (instance {@code i-1}); its text. */
  String mintRuntimeToken(String slug, String env) {
    return admin()
        .post(
            "/v1/projects/" + slug + "/environments/" + env + "/runtime-tokens",
            "{\"instanceId\":\"i-1\"}")
        .json()
        .path("token")
        .asString();
  }

  /** Attaches a data service and waits until its operation finished; returns the operation. */
  JsonNode attachAndWait(String slug, String body) {
    var res = admin().post("/v1/projects/" + slug + "/services", body);
    if (res.status() != 202) {
      throw new AssertionError("attach failed: " + res.body());
    }
    return admin()
        .awaitOperation(res.json().path("operationId").asString(), Duration.ofSeconds(60));
  }

  /** Waits for each of an answer's {@code operationIds} and asserts that it succeeded. */
  void awaitAllSucceeded(JsonNode operationIds) {
    for (JsonNode op : operationIds) {
      JsonNode done = admin().awaitOperation(op.asString(), Duration.ofSeconds(60));
      assertThat(done.path("state").asString()).as(done.toString()).isEqualTo("succeeded");
    }
  }

  /**
   * Opens a direct connection (no pooler) with the credentials of a Postgres data service's
   * variables, to the database named.
   *
   * @param vars the variables (PGHOST, PGPORT, PGUSER, PGPASSWORD)
   * @param database the database to connect to
   * @throws SQLException when the server refuses
   */
  static Connection connectDirect(JsonNode vars, String database) throws SQLException {
    return java.sql.DriverManager.getConnection(
        "jdbc:postgresql://"
            + vars.path("PGHOST").asString()
            + ":"
            + vars.path("PGPORT").asString()
            + "/"
            + database,
        vars.path("PGUSER").asString(),
        vars.path("PGPASSWORD").asString());
  }

  /**
   * Deletes a data service (soft: it is disabled) and awaits that; returns the delete's answer.
   *
   * @param ref the data service's id or {@code type:name}
   * @param name its name, repeated in {@code confirm}
   */
  JsonNode deleteAndWait(String slug, String ref, String name) {
    var deleted = admin().delete("/v1/projects/" + slug + "/services/" + ref + "?confirm=" + name);
    if (deleted.status() != 202) {
      throw new AssertionError("delete failed: " + deleted.body());
    }
    JsonNode op =
        admin()
            .awaitOperation(deleted.json().path("operationId").asString(), Duration.ofSeconds(60));
    if (!"succeeded".equals(op.path("state").asString())) {
      throw new AssertionError("disable failed: " + op);
    }
    return deleted.json();
  }

  /**
   * Deletes a data service and purges it at once, as a delete did before soft delete; returns the
   * purge operation, finished.
   */
  JsonNode deleteAndPurge(String slug, String ref, String name) {
    return purgeAndWait(slug, deleteAndWait(slug, ref, name).path("id").asString(), name);
  }

  /** Purges a deleted data service by id; returns the purge operation, finished. */
  JsonNode purgeAndWait(String slug, String id, String name) {
    var purged =
        admin()
            .delete(
                "/v1/projects/" + slug + "/services/" + id + "?confirm=" + name + "&purge=true");
    if (purged.status() != 202) {
      throw new AssertionError("purge failed: " + purged.body());
    }
    return admin()
        .awaitOperation(purged.json().path("operationId").asString(), Duration.ofSeconds(60));
  }

  /** Connects as superuser to the tenant server. */
  static Connection tenantAdmin() throws SQLException {
    return TestServers.postgres().connect("postgres");
  }
}
