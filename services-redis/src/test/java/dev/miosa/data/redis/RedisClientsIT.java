package dev.miosa.data.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.local.LocalRedis;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.protocol.ProtocolVersion;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ordinary clients connect with REDIS_URL as it is, and no command they send on connect is refused.
 */
class RedisClientsIT {

  static LocalRedis redis;
  static RedisProvider provider;

  /** A password with every character that a URL must escape. */
  static final Secret AWKWARD =
      Secret.of("p@ss/w:rd%?#+ &x='\"\\[]" + "0123456789abcdefghijklmnopqrstuv");

  @BeforeAll
  static void start() {
    redis = TestServers.redis();
    provider = new RedisProvider(List.of(RedisTenants.serverOf("redis-1", redis)), () -> AWKWARD);
  }

  @AfterAll
  static void stop() {
    RedisTenants.shutdownAll();
    provider.close();
  }

  static Map<String, String> newTenant() {
    InMemoryResourceContext res =
        new InMemoryResourceContext(
            Ids.newId("res"), Ids.newId("prj"), "production", "redis-1", new HashMap<>());
    res.config().putAll(provider.validateConfig(Map.of()));
    res.attributes().putAll(provider.provision(res).attributes());
    return provider.variables(res);
  }

  @Test
  void lettuceConnectsWithResp3OrResp2AndAClientNameWithoutAnyRefusal() {
    Map<String, String> vars = newTenant();
    String user = vars.get("REDIS_KEY_PREFIX").replace(":", "");
    RedisURI named = RedisURI.create(vars.get("REDIS_URL"));
    named.setClientName("checkout-worker");
    try (var resp3 = RedisTenants.client(named, true).connect()) {
      assertThat(resp3.sync().aclWhoami()).isEqualTo(user);
    }
    var resp2Client = RedisTenants.client(RedisURI.create(vars.get("REDIS_URL")), true);
    resp2Client.setOptions(ClientOptions.builder().protocolVersion(ProtocolVersion.RESP2).build());
    try (var resp2 = resp2Client.connect()) {
      assertThat(resp2.sync().set(vars.get("REDIS_KEY_PREFIX") + "k", "v")).isEqualTo("OK");
    }
    try (var admin = RedisTenants.admin(redis)) {
      List<String> refusedForUser = new ArrayList<>();
      for (Object entry : RedisTenants.run(admin, "ACL", "LOG")) {
        String text = entry.toString();
        if (text.contains(user)) {
          refusedForUser.add(text);
        }
      }
      assertThat(refusedForUser).as("ACL LOG entries of the tenant").isEmpty();
    }
  }

  @Test
  void redisCliWorksWithTheUrlAsTheReadmeShows() throws Exception {
    Map<String, String> vars = newTenant();
    String url = vars.get("REDIS_URL");
    assertThat(url).contains("p%40ss%2Fw%3Ard%25%3F%23%2B%20%26x");
    String prefix = vars.get("REDIS_KEY_PREFIX");
    assertThat(redisCli(url, "SET", prefix + "greeting", "hello")).isEqualTo("OK");
    assertThat(redisCli(url, "GET", prefix + "greeting")).isEqualTo("hello");
    assertThat(redisCli(url, "ACL", "WHOAMI")).isEqualTo(prefix.replace(":", ""));
    assertThat(redisCli(url, "KEYS", "*")).startsWith("NOPERM");
    // Lettuce decodes the same URL to the same password.
    try (var c = RedisTenants.connect(vars)) {
      assertThat(c.sync().get(prefix + "greeting")).isEqualTo("hello");
    }
  }

  static String redisCli(String url, String... args) throws Exception {
    Path cli = Path.of("/usr/bin/redis-cli");
    assertThat(Files.isExecutable(cli))
        .as("redis-cli is missing: apt-get install redis-tools (comes with redis-server)")
        .isTrue();
    // Exactly as the README shows: redis-cli -u "$REDIS_URL" ... (its password warning goes to
    // stderr).
    List<String> cmd = new ArrayList<>(List.of(cli.toString(), "-u", url));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }
}
