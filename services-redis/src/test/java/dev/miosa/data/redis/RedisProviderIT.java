package dev.miosa.data.redis;

import static dev.miosa.data.redis.RedisTenants.run;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.local.LocalRedis;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TransactionResult;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Redis provider against a real local redis-server: what a tenant can and cannot do. */
class RedisProviderIT {

  static LocalRedis redis;
  static RedisProvider provider;
  static StatefulRedisConnection<String, String> admin;

  @BeforeAll
  static void start() {
    redis = TestServers.redis();
    provider = new RedisProvider(List.of(RedisTenants.serverOf("redis-1", redis)));
    admin = RedisTenants.admin(redis);
  }

  @AfterAll
  static void stop() {
    RedisTenants.shutdownAll();
    provider.close();
  }

  /** A provisioned namespace and its variables. */
  record Tenant(InMemoryResourceContext resource, Map<String, String> vars) {
    String prefix() {
      return vars.get("REDIS_KEY_PREFIX");
    }

    String user() {
      return resource.attributes().get(RedisProvider.ATTR_USER);
    }
  }

  static Tenant newTenant() {
    InMemoryResourceContext res =
        new InMemoryResourceContext(
            Ids.newId("res"), Ids.newId("prj"), "production", "redis-1", new HashMap<>());
    res.config().putAll(provider.validateConfig(Map.of()));
    ProvisionResult result = provider.provision(res);
    assertThat(result.action()).isEqualTo(ProvisionResult.Action.CREATED);
    res.attributes().putAll(result.attributes());
    return new Tenant(res, provider.variables(res));
  }

  static void assertNoPerm(Runnable call) {
    assertThatThrownBy(call::run)
        .isInstanceOf(RedisCommandExecutionException.class)
        .hasMessageStartingWith("NOPERM");
  }

  @Test
  void variablesAreAUrlWithUserPasswordAndDatabaseZeroAndTheKeyPrefix() {
    Tenant t = newTenant();
    assertThat(t.vars()).containsOnlyKeys("REDIS_URL", "REDIS_KEY_PREFIX");
    assertThat(t.vars().get("REDIS_URL"))
        .matches("redis://t-[a-z0-9]{20}:[A-Za-z0-9]{40}@127\\.0\\.0\\.1:" + redis.port() + "/0");
    assertThat(t.prefix()).matches("t-[a-z0-9]{20}:").isEqualTo(t.user() + ":");
  }

  @Test
  void tenantServesCacheSessionsCountersStreamsScriptsAndTransactionsOnItsOwnKeys() {
    Tenant t = newTenant();
    String p = t.prefix();
    try (var c = RedisTenants.connect(t.vars())) {
      RedisCommands<String, String> r = c.sync();
      assertThat(r.aclWhoami()).isEqualTo(t.user());
      assertThat(r.set(p + "cache:home", "<html>")).isEqualTo("OK");
      assertThat(r.get(p + "cache:home")).isEqualTo("<html>");
      assertThat(r.expire(p + "cache:home", 60)).isTrue();
      assertThat(r.ttl(p + "cache:home")).isBetween(1L, 60L);
      assertThat(r.incr(p + "rate:ip1")).isEqualTo(1L);
      assertThat(r.incr(p + "rate:ip1")).isEqualTo(2L);
      assertThat(r.hset(p + "session:s1", Map.of("user", "u1", "csrf", "x"))).isEqualTo(2L);
      assertThat(r.hgetall(p + "session:s1")).containsEntry("user", "u1");
      assertThat(r.xadd(p + "events", Map.of("type", "signup"))).isNotBlank();
      assertThat(r.xlen(p + "events")).isEqualTo(1L);
      assertThat(r.lpush(p + "jobs", "j1")).isEqualTo(1L);
      assertThat(r.zadd(p + "board", 3.0, "ann")).isEqualTo(1L);
      assertThat(r.sadd(p + "tags", "a", "b")).isEqualTo(2L);
      assertThat(r.exists(p + "tags")).isEqualTo(1L);
      assertThat(r.del(p + "tags")).isEqualTo(1L);

      r.multi();
      r.incr(p + "tx");
      r.set(p + "tx:flag", "1");
      TransactionResult tx = r.exec();
      assertThat(tx.wasDiscarded()).isFalse();
      assertThat((Long) tx.get(0)).isEqualTo(1L);

      Long fromLua =
          r.eval(
              "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCRBY', KEYS[2], 5)",
              ScriptOutputType.INTEGER,
              new String[] {p + "lua:a", p + "lua:n"},
              "v");
      assertThat(fromLua).isEqualTo(5L);
      String sha = r.scriptLoad("return redis.call('GET', KEYS[1])");
      assertThat((String) r.evalsha(sha, ScriptOutputType.VALUE, p + "lua:a")).isEqualTo("v");
      // A typical rate limiter reads the server clock from Lua.
      assertThat((List<?>) r.eval("return redis.call('TIME')", ScriptOutputType.MULTI)).hasSize(2);
    }
  }

  @Test
  void tenantPublishesAndSubscribesOnItsOwnChannels() throws Exception {
    Tenant t = newTenant();
    BlockingQueue<String> received = new ArrayBlockingQueue<>(10);
    try (StatefulRedisPubSubConnection<String, String> sub = RedisTenants.connectPubSub(t.vars());
        var pub = RedisTenants.connect(t.vars())) {
      sub.addListener(
          new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
              received.add(channel + "=" + message);
            }

            @Override
            public void message(String pattern, String channel, String message) {
              received.add(pattern + "|" + channel + "=" + message);
            }
          });
      sub.sync().subscribe(t.prefix() + "chat");
      sub.sync().psubscribe(t.prefix() + "*");
      assertThat(pub.sync().publish(t.prefix() + "chat", "hi")).isEqualTo(2L);
      List<String> got =
          List.of(received.poll(10, TimeUnit.SECONDS), received.poll(10, TimeUnit.SECONDS));
      assertThat(got)
          .containsExactlyInAnyOrder(
              t.prefix() + "chat=hi", t.prefix() + "*|" + t.prefix() + "chat=hi");
    }
  }

  @Test
  void keysAndChannelsOutsideThePrefixAreRefusedEvenThroughLua() {
    Tenant a = newTenant();
    Tenant b = newTenant();
    admin.sync().set(b.prefix() + "secret", "b-data");
    admin.sync().set("unprefixed", "x");
    try (var c = RedisTenants.connect(a.vars());
        var sub = RedisTenants.connectPubSub(a.vars())) {
      RedisCommands<String, String> r = c.sync();
      for (String key : List.of(b.prefix() + "secret", "unprefixed", a.user(), a.user() + "x:k")) {
        assertNoPerm(() -> r.get(key));
        assertNoPerm(() -> r.set(key, "v"));
      }
      assertNoPerm(() -> r.publish(b.prefix() + "chat", "x"));
      assertNoPerm(() -> r.publish("global", "x"));
      assertNoPerm(() -> sub.sync().subscribe(b.prefix() + "chat"));
      assertNoPerm(() -> sub.sync().psubscribe("*"));
      assertNoPerm(() -> sub.sync().psubscribe(b.prefix() + "*"));
      assertNoPerm(() -> r.mget(a.prefix() + "mine", b.prefix() + "secret"));
      // A key not declared in KEYS is checked too: the script's call is refused. Redis 7.0
      // reports a refusal inside a script as "ERR The user executing the script can't access
      // ..." (newer servers start it with NOPERM).
      assertThatThrownBy(
              () ->
                  r.eval(
                      "return redis.call('GET', ARGV[1])",
                      ScriptOutputType.VALUE,
                      new String[0],
                      b.prefix() + "secret"))
          .isInstanceOf(RedisCommandExecutionException.class)
          .hasMessageMatching(
              "(?s)(NOPERM|ERR The user executing the script can.t (access|publish)).*");
      assertThatThrownBy(
              () ->
                  r.eval(
                      "return redis.call('SET', KEYS[1], 'x')",
                      ScriptOutputType.STATUS,
                      b.prefix() + "secret"))
          .isInstanceOf(RedisCommandExecutionException.class)
          .hasMessageStartingWith("NOPERM");
      assertThatThrownBy(
              () ->
                  r.eval(
                      "return redis.call('PUBLISH', ARGV[1], 'x')",
                      ScriptOutputType.INTEGER,
                      new String[0],
                      "global"))
          .isInstanceOf(RedisCommandExecutionException.class)
          .hasMessageMatching(
              "(?s)(NOPERM|ERR The user executing the script can.t (access|publish)).*");
      assertThatThrownBy(() -> r.eval("return redis.call('FLUSHALL')", ScriptOutputType.STATUS))
          .isInstanceOf(RedisCommandExecutionException.class)
          .hasMessageMatching("(?s)(NOPERM|ERR The user executing the script can't run).*");
    }
    assertThat(admin.sync().get(b.prefix() + "secret")).isEqualTo("b-data");
    assertThat(admin.sync().get("unprefixed")).isEqualTo("x");
  }

  @Test
  void anotherProjectsKeysAreNeitherReadableNorListableNorDeletable() {
    Tenant a = newTenant();
    Tenant b = newTenant();
    String bKey = b.prefix() + "orders:1";
    try (var cb = RedisTenants.connect(b.vars())) {
      cb.sync().set(bKey, "paid");
      cb.sync().hset(b.prefix() + "session", "u", "1");
    }
    try (var c = RedisTenants.connect(a.vars())) {
      RedisCommands<String, String> r = c.sync();
      assertNoPerm(() -> r.get(bKey));
      assertNoPerm(() -> r.exists(bKey));
      assertNoPerm(() -> r.type(bKey));
      assertNoPerm(() -> r.hgetall(b.prefix() + "session"));
      assertNoPerm(() -> r.keys("*"));
      assertNoPerm(() -> r.keys(b.prefix() + "*"));
      assertNoPerm(() -> r.scan());
      assertNoPerm(() -> r.randomkey());
      assertNoPerm(() -> r.dbsize());
      assertNoPerm(() -> r.del(bKey));
      assertNoPerm(() -> r.unlink(bKey));
      assertNoPerm(() -> r.expire(bKey, 1));
      assertNoPerm(() -> r.rename(bKey, a.prefix() + "stolen"));
      assertNoPerm(() -> r.flushall());
      assertNoPerm(() -> r.flushdb());
      assertThatThrownBy(
              () -> r.eval("return redis.call('DEL', KEYS[1])", ScriptOutputType.INTEGER, bKey))
          .hasMessageStartingWith("NOPERM");
    }
    assertThat(admin.sync().get(bKey)).isEqualTo("paid");
    assertThat(admin.sync().hget(b.prefix() + "session", "u")).isEqualTo("1");
  }

  @Test
  void deniedCommandsNeverRun() {
    Tenant t = newTenant();
    admin.sync().set(t.prefix() + "still-here", "1");
    Map<String, String[]> denied = new LinkedHashMap<>();
    for (String[] cmd :
        List.of(
            new String[] {"KEYS", "*"},
            new String[] {"SCAN", "0"},
            new String[] {"RANDOMKEY"},
            new String[] {"DBSIZE"},
            new String[] {"FLUSHALL"},
            new String[] {"FLUSHDB"},
            new String[] {"SWAPDB", "0", "1"},
            new String[] {"SELECT", "1"},
            new String[] {"MOVE", t.prefix() + "still-here", "1"},
            new String[] {"COPY", t.prefix() + "still-here", t.prefix() + "c", "DB", "1"},
            new String[] {"MIGRATE", "127.0.0.1", "1", t.prefix() + "still-here", "0", "100"},
            new String[] {"CONFIG", "GET", "*"},
            new String[] {"CONFIG", "SET", "maxmemory", "1"},
            new String[] {"ACL", "LIST"},
            new String[] {"ACL", "SETUSER", t.user(), "allkeys"},
            new String[] {"ACL", "GETUSER", t.user()},
            new String[] {"ACL", "USERS"},
            new String[] {"ACL", "LOG"},
            new String[] {"DEBUG", "SLEEP", "0"},
            new String[] {"MODULE", "LIST"},
            new String[] {"MONITOR"},
            new String[] {"CLIENT", "LIST"},
            new String[] {"CLIENT", "KILL", "TYPE", "normal"},
            new String[] {"CLIENT", "ID"},
            new String[] {"CLIENT", "INFO"},
            new String[] {"CLIENT", "PAUSE", "1000"},
            new String[] {"CLIENT", "TRACKING", "on", "BCAST"},
            new String[] {"PUBSUB", "CHANNELS"},
            new String[] {"PUBSUB", "NUMSUB", t.prefix() + "c"},
            new String[] {"INFO"},
            new String[] {"SORT", t.prefix() + "l", "BY", "nosort", "GET", "*"},
            new String[] {"RESTORE", t.prefix() + "r", "0", "x"},
            new String[] {"FUNCTION", "LIST"},
            new String[] {"FUNCTION", "FLUSH"},
            new String[] {"FCALL", "f", "0"},
            new String[] {"SCRIPT", "FLUSH"},
            new String[] {"SCRIPT", "KILL"},
            new String[] {"SAVE"},
            new String[] {"BGSAVE"},
            new String[] {"REPLICAOF", "127.0.0.1", "1"},
            new String[] {"SLOWLOG", "GET"},
            new String[] {"LATENCY", "LATEST"},
            new String[] {"MEMORY", "STATS"},
            new String[] {"SHUTDOWN", "NOSAVE"})) {
      denied.put(String.join(" ", cmd), cmd);
    }
    try (var c = RedisTenants.connect(t.vars())) {
      denied.forEach(
          (label, cmd) ->
              assertThatThrownBy(() -> run(c, cmd))
                  .as(label)
                  .isInstanceOf(RedisCommandExecutionException.class)
                  .hasMessageStartingWith("NOPERM"));
      assertThat(c.sync().aclWhoami()).isEqualTo(t.user());
    }
    assertThat(admin.sync().ping()).isEqualTo("PONG");
    assertThat(admin.sync().get(t.prefix() + "still-here")).isEqualTo("1");
  }

  @Test
  void provisionAgainKeepsThePasswordAndTheKeys() {
    Tenant t = newTenant();
    try (var c = RedisTenants.connect(t.vars())) {
      c.sync().set(t.prefix() + "kept", "7");
    }
    assertThat(provider.provision(t.resource()).action()).isEqualTo(ProvisionResult.Action.UPDATED);
    assertThat(provider.variables(t.resource())).isEqualTo(t.vars());
    try (var c = RedisTenants.connect(t.vars())) {
      assertThat(c.sync().get(t.prefix() + "kept")).isEqualTo("7");
    }
  }

  @Test
  void disablingClosesLiveConnectionsAtOnceAndRefusesNewOnesUntilEnabled() throws Exception {
    Tenant t = newTenant();
    try (Socket live = authenticatedSocket(t)) {
      t.resource().config().put("enabled", false);
      provider.provision(t.resource());
      assertThat(readUntilClosed(live)).as("the server closed the connection").isTrue();
    }
    assertThat(dev.miosa.data.local.LocalRedis.authReply(t.vars().get("REDIS_URL")))
        .startsWith("-WRONGPASS");

    t.resource().config().put("enabled", true);
    provider.provision(t.resource());
    try (var c = RedisTenants.connect(t.vars())) {
      assertThat(c.sync().ping()).isEqualTo("PONG");
    }
  }

  @Test
  void deletingRemovesTheUserAndEveryKeyAndLeavesOtherTenantsUntouched() throws Exception {
    Tenant a = newTenant();
    Tenant b = newTenant();
    fill(a.prefix(), 10_000);
    fill(b.prefix(), 10_000);
    admin.sync().hset(a.prefix() + "h", "f", "v");
    admin.sync().xadd(a.prefix() + "s", Map.of("f", "v"));
    admin.sync().set("outside-" + a.user(), "not in any namespace");
    assertThat(countKeys(a.prefix())).isEqualTo(10_002);

    try (Socket live = authenticatedSocket(a)) {
      provider.deprovision(a.resource());
      assertThat(readUntilClosed(live)).as("the server closed the connection").isTrue();
    }
    assertThat(countKeys(a.prefix())).isZero();
    assertThat(countKeys(b.prefix())).isEqualTo(10_000);
    assertThat(admin.sync().get("outside-" + a.user())).isEqualTo("not in any namespace");
    assertThat(admin.sync().aclUsers()).doesNotContain(a.user()).contains(b.user());
    assertThatThrownBy(() -> RedisTenants.connect(a.vars()).close())
        .hasStackTraceContaining("WRONGPASS");
    try (var c = RedisTenants.connect(b.vars())) {
      assertThat(c.sync().get(b.prefix() + "k:9999")).isEqualTo("v9999");
    }

    provider.deprovision(a.resource()); // already gone: no error
  }

  @Test
  void configIsValidatedNamingTheField() {
    assertThat(provider.validateConfig(Map.of())).containsEntry("enabled", true);
    assertThatThrownBy(() -> provider.validateConfig(Map.of("enabled", "no")))
        .extracting("field")
        .isEqualTo("config.enabled");
    assertThatThrownBy(() -> provider.validateConfig(Map.of("maxmemory", 1)))
        .extracting("field")
        .isEqualTo("config.maxmemory");
  }

  static void fill(String prefix, int n) {
    for (int start = 0; start < n; start += 1000) {
      Map<String, String> batch = new LinkedHashMap<>();
      for (int i = start; i < Math.min(n, start + 1000); i++) {
        batch.put(prefix + "k:" + i, "v" + i);
      }
      admin.sync().mset(batch);
    }
  }

  static long countKeys(String prefix) {
    long n = 0;
    var args = io.lettuce.core.ScanArgs.Builder.matches(prefix + "*").limit(1000);
    io.lettuce.core.KeyScanCursor<String> cursor = admin.sync().scan(args);
    n += cursor.getKeys().size();
    while (!cursor.isFinished()) {
      cursor = admin.sync().scan(cursor, args);
      n += cursor.getKeys().size();
    }
    return n;
  }

  /** A raw connection authenticated as the tenant, as any client holds one. */
  static Socket authenticatedSocket(Tenant t) throws Exception {
    var uri = io.lettuce.core.RedisURI.create(t.vars().get("REDIS_URL"));
    Socket s = new Socket(uri.getHost(), uri.getPort());
    s.setSoTimeout(10_000);
    OutputStream out = s.getOutputStream();
    String user = t.user();
    String pass =
        new String(uri.getCredentialsProvider().resolveCredentials().block().getPassword());
    out.write(
        ("*3\r\n$4\r\nAUTH\r\n$"
                + user.length()
                + "\r\n"
                + user
                + "\r\n$"
                + pass.length()
                + "\r\n"
                + pass
                + "\r\n")
            .getBytes(StandardCharsets.UTF_8));
    out.write("*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.UTF_8));
    out.flush();
    byte[] expected = "+OK\r\n+PONG\r\n".getBytes(StandardCharsets.UTF_8);
    byte[] got = s.getInputStream().readNBytes(expected.length);
    assertThat(new String(got, StandardCharsets.UTF_8))
        .isEqualTo(new String(expected, StandardCharsets.UTF_8));
    return s;
  }

  /** Whether the server closes the connection (end of stream) before the 10-second read timeout. */
  static boolean readUntilClosed(Socket s) throws Exception {
    InputStream in = s.getInputStream();
    try {
      while (in.read() != -1) {
        // drain
      }
      return true;
    } catch (java.net.SocketException e) {
      return true; // reset by peer
    } catch (java.net.SocketTimeoutException e) {
      return false;
    }
  }
}
