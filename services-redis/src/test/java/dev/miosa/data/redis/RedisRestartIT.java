package dev.miosa.data.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.local.LocalRedis;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Tenants keep their access across Redis restarts: the reconciler re-applies their users. */
class RedisRestartIT {

  private static final Logger log = LoggerFactory.getLogger(RedisRestartIT.class);

  static LocalRedis redis;
  static RedisProvider provider;
  static final List<InMemoryResourceContext> ready = new CopyOnWriteArrayList<>();
  static final Set<String> unwanted = ConcurrentHashMap.newKeySet();
  static RedisAclReconciler reconciler;

  @BeforeAll
  static void start() {
    redis = TestServers.newRedis(); // our own: this test restarts it
    provider = new RedisProvider(List.of(RedisTenants.serverOf("redis-r", redis)));
    reconciler = new RedisAclReconciler(provider, () -> ready, id -> !unwanted.contains(id));
  }

  @AfterAll
  static void stop() {
    reconciler.close();
    RedisTenants.shutdownAll();
    provider.close();
    redis.stop();
  }

  static InMemoryResourceContext provisioned() {
    InMemoryResourceContext res =
        new InMemoryResourceContext(
            Ids.newId("res"), Ids.newId("prj"), "production", "redis-r", new HashMap<>());
    res.config().putAll(provider.validateConfig(Map.of()));
    res.attributes().putAll(provider.provision(res).attributes());
    ready.add(res);
    return res;
  }

  @Test
  void afterRedisRestartsEmptyTheSameUrlWorksAgainWithinSeconds() throws Exception {
    InMemoryResourceContext a = provisioned();
    InMemoryResourceContext b = provisioned();
    Map<String, String> vars = provider.variables(a);
    String prefix = vars.get("REDIS_KEY_PREFIX");
    try (var c = RedisTenants.connect(vars)) {
      c.sync().set(prefix + "before", "1");
    }
    reconciler.start(Duration.ofMillis(500));

    redis.restart();
    long back = System.nanoTime();
    StatefulRedisConnection<String, String> c = null;
    Exception last = null;
    while (c == null && System.nanoTime() - back < Duration.ofSeconds(30).toNanos()) {
      try {
        c = RedisTenants.connect(vars);
      } catch (RuntimeException e) {
        last = e; // WRONGPASS until the reconciler has re-applied the user
        Thread.sleep(50);
      }
    }
    assertThat(c).as("the tenant connects again; last error: %s", last).isNotNull();
    log.info(
        "tenant connected again {} ms after redis-server answered",
        (System.nanoTime() - back) / 1_000_000);
    try (var conn = c) {
      var r = conn.sync();
      assertThat(r.get(prefix + "before")).as("the server restarted empty").isNull();
      assertThat(r.set(prefix + "after", "2")).isEqualTo("OK");
      // The whole rule set came back, not just the password.
      String other = provider.variables(b).get("REDIS_KEY_PREFIX") + "x";
      assertThatThrownBy(() -> r.get(other))
          .isInstanceOf(RedisCommandExecutionException.class)
          .hasMessageStartingWith("NOPERM");
      assertThatThrownBy(() -> r.keys("*")).hasMessageStartingWith("NOPERM");
    }
    try (var cb = RedisTenants.connect(provider.variables(b))) {
      assertThat(cb.sync().ping()).isEqualTo("PONG");
    }
  }

  @Test
  void aPassAppliesEveryReadyUserOnceperServerStartAndSkipsUnwantedOnes() {
    InMemoryResourceContext kept = provisioned();
    InMemoryResourceContext leaving = provisioned();
    unwanted.add(leaving.resourceId());
    try (var admin = RedisTenants.admin(redis)) {
      admin
          .sync()
          .aclDeluser(
              TenantAcl.forResource(kept.resourceId()).user(),
              TenantAcl.forResource(leaving.resourceId()).user());

      RedisAclReconciler fresh =
          new RedisAclReconciler(provider, () -> ready, id -> !unwanted.contains(id));
      assertThat(fresh.poll("redis-r"))
          .as("first sight of this server: every wanted user applied")
          .isGreaterThanOrEqualTo(1);
      assertThat(fresh.poll("redis-r")).as("same run id: nothing to do").isZero();

      List<String> users = admin.sync().aclUsers();
      assertThat(users).contains(TenantAcl.forResource(kept.resourceId()).user());
      assertThat(users).doesNotContain(TenantAcl.forResource(leaving.resourceId()).user());
    } finally {
      ready.remove(leaving);
    }
    try (var c = RedisTenants.connect(provider.variables(kept))) {
      assertThat(c.sync().ping()).isEqualTo("PONG");
    }
  }

  @Test
  void aRestartReappliesManyUsersInOnePipelineAndAsksTheRecordsOnce() throws Exception {
    List<InMemoryResourceContext> many = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      InMemoryResourceContext res =
          new InMemoryResourceContext(
              Ids.newId("res"), Ids.newId("prj"), "production", "redis-r", new HashMap<>());
      res.config().putAll(provider.validateConfig(Map.of()));
      res.attributes().putAll(provider.provision(res).attributes());
      many.add(res);
    }
    String gone = many.get(0).resourceId();
    List<java.util.Collection<String>> questions = new CopyOnWriteArrayList<>();
    RedisAclReconciler batched =
        RedisAclReconciler.batched(
            provider,
            () -> many,
            ids -> {
              questions.add(List.copyOf(ids));
              Set<String> wanted = new java.util.HashSet<>(ids);
              wanted.remove(gone); // deleted while the pass ran
              return wanted;
            });

    redis.restart();
    int applied = -1;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (applied < 0 && System.nanoTime() < deadline) {
      try {
        applied = batched.poll("redis-r");
      } catch (RuntimeException e) {
        Thread.sleep(20); // not answering yet
      }
    }

    assertThat(applied).isEqualTo(299);
    assertThat(questions).hasSize(1);
    assertThat(questions.get(0)).hasSize(300);
    RedisAdmin admin = provider.admin("redis-r");
    assertThat(admin.userExists(TenantAcl.forResource(gone).user())).isFalse();
    for (InMemoryResourceContext res : many.subList(1, many.size())) {
      assertThat(admin.userExists(TenantAcl.forResource(res.resourceId()).user())).isTrue();
    }
    try (var c = RedisTenants.connect(provider.variables(many.get(299)))) {
      assertThat(c.sync().ping()).isEqualTo("PONG");
    }
  }

  @Test
  void aProvisionWhileRedisIsDownFailsRetryablyAndItsRetrySucceedsOnceRedisIsBack()
      throws Exception {
    InMemoryResourceContext res =
        new InMemoryResourceContext(
            Ids.newId("res"), Ids.newId("prj"), "production", "redis-r", new HashMap<>());
    res.config().putAll(provider.validateConfig(Map.of()));
    redis.stop();
    try {
      // The attempt ends (no hang) with an error the worker retries.
      assertThatThrownBy(() -> provider.provision(res))
          .isInstanceOf(RuntimeException.class)
          .satisfies(
              e -> {
                if (e instanceof ProvisioningException pe) {
                  assertThat(pe.retryable()).isTrue();
                }
              });
    } finally {
      redis.restart();
    }
    // The retry, as the worker would run it, with the same stored password.
    Map<String, String> attributes = null;
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (attributes == null) {
      try {
        attributes = provider.provision(res).attributes();
      } catch (RuntimeException e) {
        assertThat(System.nanoTime()).as("provisioned again: %s", e).isLessThan(deadline);
        Thread.sleep(50); // not answering yet
      }
    }
    res.attributes().putAll(attributes);
    try (var c = RedisTenants.connect(provider.variables(res))) {
      assertThat(c.sync().ping()).isEqualTo("PONG");
    }
  }
}
