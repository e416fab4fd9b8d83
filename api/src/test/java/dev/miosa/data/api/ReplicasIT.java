package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.LocalPgBouncer;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.LocalProcesses;
import dev.miosa.data.local.LocalRedis;
import dev.miosa.data.local.LocalS3Proxy;
import dev.miosa.data.local.TestServers;
import io.lettuce.core.RedisClient;
import io.minio.MinioClient;
import io.minio.messages.Bucket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Three service processes on one control-plane store and the same backend servers: attaches spread
 * over all three, one replica killed with {@code kill -9} while it is observed running an
 * operation, and still every operation finishes once, no backend holds an orphan, and every
 * surviving replica serves the same env.
 */
class ReplicasIT {

  static final String TOKEN = "replicas-test-admin-token-0123";
  static final String SWEEP_LOCK =
      "SELECT pg_advisory_lock(hashtext('miosa.revoke-public-connect'))";

  record Replica(int index, ServiceProcess service) {
    Http http() {
      return service.http(TOKEN);
    }

    int port() {
      return service.port();
    }

    Process process() {
      return service.process();
    }

    Path log() {
      return service.log();
    }
  }

  final List<Replica> replicas = new ArrayList<>();
  Path work;
  LocalPostgres tenant;

  @AfterEach
  void stop() throws Exception {
    for (Replica r : replicas) {
      r.service().stop();
    }
    if (tenant != null) {
      tenant.close();
    }
    if (work != null) {
      TestServers.deleteQuietly(work);
    }
  }

  @Test
  void threeReplicasFinishEveryOperationOnceAfterAKillNineAndServeTheSameEnv() throws Exception {
    work = Files.createTempDirectory("miosa-replicas");
    // Backends of their own, so that everything on them belongs to this test.
    tenant = LocalPostgres.start(work.resolve("tenant-postgres"), Map.of("max_connections", "200"));
    LocalPgBouncer bouncer = TestServers.newPgBouncer();
    LocalRedis redis = TestServers.newRedis();
    LocalS3Proxy s3 = TestServers.s3proxy();
    String bucketPrefix = "rep" + Long.toString(System.nanoTime(), 36) + "-";
    LocalPostgres control = TestServers.postgres();
    String controlDb = "miosa_replicas_" + Long.toString(System.nanoTime(), 36);
    control.createDatabaseIfAbsent(controlDb);

    Map<String, String> env = new HashMap<>();
    env.put("MIOSA_ADMIN_TOKEN", TOKEN);
    env.put("MIOSA_MASTER_KEY", SecretCipher.generateKeyBase64());
    env.put("MIOSA_DATABASE_URL", ApiTestBase.superuserUrl(control, controlDb));
    env.put("MIOSA_POSTGRES_URL", ApiTestBase.superuserUrl(tenant, "postgres"));
    env.put("MIOSA_PGBOUNCER_ADMIN_URL", ApiTestBase.pgbouncerAdminUrl(bouncer));
    env.put("MIOSA_PGBOUNCER_CONFIG_DIR", bouncer.configDir().toString()); // shared by replicas
    env.put("MIOSA_REDIS_URL", redis.adminUrl().reveal());
    env.put("MIOSA_STORAGE_URL", "http://127.0.0.1:" + s3.port());
    env.put("MIOSA_STORAGE_ACCESS_KEY", s3.accessKey());
    env.put("MIOSA_STORAGE_SECRET_KEY", s3.secretKey().reveal());
    env.put("MIOSA_STORAGE_BUCKET_PREFIX", bucketPrefix);
    env.put("MIOSA_POSTGRES_BACKUPS_ENABLED", "false");
    // One public address for all replicas, as behind the load balancer (URLs in variables name it).
    env.put("MIOSA_PUBLIC_URL", "http://miosa.replicas.test");
    env.put("MIOSA_WORKER_LEASE", "2s");
    env.put("MIOSA_WORKER_POLL_INTERVAL", "200ms");
    env.put("MIOSA_WORKER_BACKOFF_BASE", "200ms");
    for (int i = 0; i < 3; i++) {
      replicas.add(launch(i, env));
    }
    for (Replica r : replicas) {
      r.service().awaitHealthy(Duration.ofSeconds(120));
    }

    List<String> operations = new ArrayList<>();
    List<String> slugs = new ArrayList<>();
    Replica victim;
    String interrupted;
    // Every Postgres provision waits for the isolation sweep's advisory lock while the test holds
    // it, so operations are observably running when a replica is killed.
    try (Connection sweep = tenant.connect("postgres");
        var st = sweep.createStatement()) {
      st.execute(SWEEP_LOCK);
      int k = 0;
      for (int p = 0; p < 10; p++) {
        String slug = "rep-" + ProcessHandle.current().pid() + "-" + p;
        slugs.add(slug);
        Http http = replicas.get(p % 3).http();
        assertThat(http.post("/v1/projects", "{\"slug\":\"" + slug + "\"}").status())
            .isEqualTo(201);
        for (String type : List.of("postgres", "redis", "storage")) {
          var res =
              replicas
                  .get(k++ % 3)
                  .http()
                  .post("/v1/projects/" + slug + "/services", "{\"type\":\"" + type + "\"}");
          assertThat(res.status()).as(res.body()).isEqualTo(202);
          operations.add(res.json().path("operationId").asString());
        }
      }
      assertThat(operations).hasSize(30);
      var observed = awaitRunningOnOneReplica(control, controlDb);
      victim = observed.replica();
      interrupted = observed.operationId();
      victim.service().kill(); // SIGKILL, mid-operation
      assertThat(victim.process().isAlive()).isFalse();
      st.execute("SELECT pg_advisory_unlock_all()");
    }

    List<Replica> survivors = replicas.stream().filter(r -> r != victim).toList();
    Http any = survivors.get(0).http();
    for (String op : operations) {
      JsonNode done = any.awaitOperation(op, Duration.ofSeconds(180));
      assertThat(done.path("state").asString()).as(done.toString()).isEqualTo("succeeded");
    }
    try (Connection c = control.connect(controlDb);
        var st = c.createStatement()) {
      var rs =
          st.executeQuery(
              "SELECT attempts FROM operations WHERE id = '" + interrupted + "'"); // ours, safe
      rs.next();
      assertThat(rs.getInt(1)).as("the killed replica's operation was taken over").isGreaterThan(1);
      rs = st.executeQuery("SELECT count(*) FROM operations WHERE state <> 'succeeded'");
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }

    // Exactly the recorded resources on every backend: nothing duplicated, nothing orphaned.
    Map<String, Set<String>> recorded = recordedResources(control, controlDb);
    assertThat(recorded.get("postgres")).hasSize(20);
    Set<String> roles = new HashSet<>(recorded.get("postgres")); // each database's first login
    recorded.get("postgres").forEach(database -> roles.add(database + "_owner")); // and its owner
    assertThat(tenantNames("SELECT rolname FROM pg_roles WHERE rolname LIKE 't\\_%'"))
        .isEqualTo(roles);
    assertThat(tenantNames("SELECT datname FROM pg_database WHERE datname LIKE 't\\_%'"))
        .isEqualTo(recorded.get("postgres"));
    RedisClient client = RedisClient.create(redis.adminUrl().reveal());
    try (var conn = client.connect()) {
      Set<String> users = new HashSet<>(conn.sync().aclUsers());
      users.removeIf(u -> u.equals("default") || u.equals(LocalRedis.ADMIN_USER));
      assertThat(users).hasSize(20).hasSameSizeAs(recorded.get("redis"));
    } finally {
      client.shutdown();
    }
    MinioClient minio =
        MinioClient.builder()
            .endpoint("http://127.0.0.1:" + s3.port())
            .credentials(s3.accessKey(), s3.secretKey().reveal())
            .region(LocalS3Proxy.REGION)
            .build();
    long buckets =
        minio.listBuckets().stream()
            .map(Bucket::name)
            .filter(b -> b.startsWith(bucketPrefix))
            .count();
    assertThat(buckets).isEqualTo(recorded.get("storage").size()).isEqualTo(20);

    // Every survivor serves the same env (each refreshes its cache within 5 s of a change).
    String runtimeToken =
        any.post(
                "/v1/projects/" + slugs.get(0) + "/environments/production/runtime-tokens",
                "{\"instanceId\":\"i-1\"}")
            .json()
            .path("token")
            .asString();
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    List<String> bodies;
    do {
      bodies =
          survivors.stream()
              .map(r -> new Http("http://127.0.0.1:" + r.port(), runtimeToken))
              .map(h -> h.get("/v1/runtime/env"))
              .map(res -> res.status() + " " + res.body())
              .toList();
    } while (new HashSet<>(bodies).size() > 1 && System.nanoTime() < deadline);
    assertThat(bodies.get(0)).startsWith("200 ").contains("DATABASE_URL").contains("REDIS_URL");
    assertThat(new HashSet<>(bodies)).hasSize(1);
  }

  record Observed(Replica replica, String operationId) {}

  /** Waits until a Postgres operation is running and one replica's log shows it started there. */
  Observed awaitRunningOnOneReplica(LocalPostgres control, String controlDb) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    while (System.nanoTime() < deadline) {
      List<String> running = new ArrayList<>();
      try (Connection c = control.connect(controlDb);
          var st = c.createStatement()) {
        var rs =
            st.executeQuery(
                "SELECT o.id FROM operations o JOIN data_services s ON s.id = o.service_id"
                    + " WHERE o.state = 'running' AND s.type = 'postgres'");
        while (rs.next()) {
          running.add(rs.getString(1));
        }
      }
      for (String op : running) {
        for (Replica r : replicas) {
          if (Files.readString(r.log())
              .contains("operation " + op + " (provision) attempt 1 started")) {
            return new Observed(r, op);
          }
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("no Postgres operation was seen running");
  }

  Set<String> tenantNames(String sql) throws SQLException {
    Set<String> names = new HashSet<>();
    try (Connection c = tenant.connect("postgres");
        var st = c.createStatement()) {
      var rs = st.executeQuery(sql);
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }

  static Map<String, Set<String>> recordedResources(LocalPostgres control, String db)
      throws SQLException {
    Map<String, Set<String>> byType = new HashMap<>();
    try (Connection c = control.connect(db);
        var st = c.createStatement()) {
      var rs =
          st.executeQuery(
              "SELECT s.type, r.id, r.phase FROM resources r JOIN data_services s"
                  + " ON s.id = r.service_id");
      while (rs.next()) {
        assertThat(rs.getString(3)).as(rs.getString(2)).isEqualTo("ready");
        String id = rs.getString(2);
        byType
            .computeIfAbsent(rs.getString(1), t -> new HashSet<>())
            .add("postgres".equals(rs.getString(1)) ? "t_" + id.substring(4) : id);
      }
    }
    return byType;
  }

  Replica launch(int index, Map<String, String> env) throws Exception {
    Path dir = Files.createDirectories(work.resolve("replica-" + index));
    Map<String, String> own = new HashMap<>(env);
    own.put("SERVER_ADDRESS", "127.0.0.1");
    own.put("MIOSA_DATA_DIR", dir.toString());
    own.put("MIOSA_VOLUMES_ROOT", work.resolve("volumes").toString());
    return new Replica(
        index, ServiceProcess.start(own, LocalProcesses.freePort(), dir.resolve("app.log")));
  }
}
