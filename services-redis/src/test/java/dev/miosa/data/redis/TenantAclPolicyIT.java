package dev.miosa.data.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.local.LocalRedis;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Asks the real server, for every command and subcommand it knows, whether a tenant user may run it
 * ({@code ACL DRYRUN}), and checks the answer against the policy: so a server version that puts a
 * new command into a granted category cannot widen what tenants can do unnoticed.
 */
class TenantAclPolicyIT {

  /** Granted categories: every command in them names its keys or channels. */
  static final List<String> DATA_CATEGORIES =
      List.of(
          "string",
          "hash",
          "list",
          "set",
          "sortedset",
          "stream",
          "bitmap",
          "hyperloglog",
          "geo",
          "transaction",
          "pubsub");

  /** Granted by name besides those categories. */
  static final Set<String> NAMED =
      Set.of(
          "eval",
          "evalsha",
          "eval_ro",
          "evalsha_ro",
          "script|load",
          "script|exists",
          "del",
          "unlink",
          "exists",
          "type",
          "touch",
          "rename",
          "renamenx",
          "expire",
          "pexpire",
          "expireat",
          "pexpireat",
          "expiretime",
          "pexpiretime",
          "ttl",
          "pttl",
          "persist",
          "object|encoding",
          "object|freq",
          "object|help",
          "object|idletime",
          "object|refcount",
          "auth",
          "hello",
          "ping",
          "echo",
          "quit",
          "reset",
          "client|setname",
          "client|setinfo",
          "command",
          "command|count",
          "command|docs",
          "command|getkeys",
          "command|getkeysandflags",
          "command|help",
          "command|info",
          "command|list",
          "acl|whoami",
          "time");

  /** Named by the issue (and this design) as never runnable by a tenant. */
  static final List<String> NEVER =
      List.of(
          "keys",
          "scan",
          "randomkey",
          "dbsize",
          "flushall",
          "flushdb",
          "swapdb",
          "select",
          "move",
          "copy",
          "migrate",
          "restore",
          "dump",
          "config|",
          "acl|list",
          "acl|setuser",
          "acl|getuser",
          "acl|deluser",
          "acl|log",
          "debug",
          "monitor",
          "client|list",
          "client|kill",
          "client|id",
          "client|info",
          "client|pause",
          "client|tracking",
          "client|no-evict",
          "pubsub|",
          "shutdown",
          "info",
          "function|",
          "fcall",
          "fcall_ro",
          "script|flush",
          "script|kill",
          "script|debug",
          "sort",
          "sort_ro",
          "module|",
          "save",
          "bgsave",
          "replicaof",
          "slaveof",
          "sync",
          "psync",
          "wait");

  static LocalRedis redis;
  static StatefulRedisConnection<String, String> admin;
  static TenantAcl acl;

  @BeforeAll
  static void start() {
    redis = TestServers.redis();
    admin = RedisTenants.admin(redis);
    RedisProvider provider = new RedisProvider(List.of(RedisTenants.serverOf("redis-1", redis)));
    InMemoryResourceContext res =
        new InMemoryResourceContext(
            Ids.newId("res"), Ids.newId("prj"), "production", "redis-1", new HashMap<>());
    res.config().putAll(provider.validateConfig(java.util.Map.of()));
    provider.provision(res);
    provider.close();
    acl = TenantAcl.forResource(res.resourceId());
  }

  @AfterAll
  static void stop() {
    RedisTenants.shutdownAll();
  }

  static Set<String> category(String name) {
    Set<String> out = new TreeSet<>();
    for (Object o : RedisTenants.run(admin, "ACL", "CAT", name)) {
      out.add(o.toString());
    }
    return out;
  }

  @Test
  void everyCommandATenantMayRunIsADataCommandOrNamedInThePolicy() {
    Set<String> all = new TreeSet<>();
    for (Object cat : RedisTenants.run(admin, "ACL", "CAT")) {
      all.addAll(category(cat.toString()));
    }
    Set<String> data = new TreeSet<>();
    DATA_CATEGORIES.forEach(c -> data.addAll(category(c)));
    Set<String> dangerous = category("dangerous");
    dangerous.addAll(category("admin"));

    Set<String> allowed = new TreeSet<>();
    for (String command : all) {
      boolean container = all.stream().anyMatch(c -> c.startsWith(command + "|"));
      if (!container && mayRun(command)) {
        allowed.add(command);
      }
    }
    assertThat(allowed)
        .as("tenant may run")
        .contains("get", "set", "eval", "publish", "subscribe", "multi", "hello", "client|setname");
    for (String command : allowed) {
      assertThat(data.contains(command) || NAMED.contains(command))
          .as("%s is granted though neither a data command nor named", command)
          .isTrue();
      assertThat(dangerous).as("granted %s is @dangerous/@admin", command).doesNotContain(command);
      for (String never : NEVER) {
        assertThat(never.endsWith("|") ? command.startsWith(never) : command.equals(never))
            .as("%s must never run", command)
            .isFalse();
      }
    }
  }

  @Test
  void rulesStartFromNothingAndCarryNoPlainPassword() {
    String password = Passwords.alphanumeric(40).reveal();
    List<String> rules = acl.rules(password, true, Set.of());
    assertThat(rules.subList(0, 4)).containsExactly("reset", "resetkeys", "resetchannels", "-@all");
    assertThat(rules).contains("~" + acl.keyPrefix() + "*", "&" + acl.keyPrefix() + "*", "on");
    assertThat(rules.subList(rules.size() - 2, rules.size()))
        .containsExactly("-@dangerous", "-@admin");
    assertThat(String.join(" ", rules)).doesNotContain(password).doesNotContain(">");
    assertThat(acl.keyPrefix()).matches("t-[a-z0-9]+:");
    assertThat(acl.rules(password, false, Set.of())).contains("off").doesNotContain("on");
  }

  /** ACL DRYRUN with as many arguments as the command's arity asks, all inside the namespace. */
  boolean mayRun(String command) {
    String[] parts = command.split("\\|");
    List<Object> info = RedisTenants.run(admin, "COMMAND", "INFO", command);
    int arity = 2;
    if (!info.isEmpty() && info.get(0) instanceof List<?> details && details.size() > 1) {
      arity = Math.abs(Integer.parseInt(details.get(1).toString()));
    }
    List<String> args = new ArrayList<>(List.of("ACL", "DRYRUN", acl.user()));
    args.addAll(List.of(parts));
    for (int i = parts.length; i < Math.max(arity, parts.length); i++) {
      args.add(acl.keyPrefix() + "x");
    }
    try {
      Object answer = RedisTenants.run(admin, args.toArray(String[]::new));
      return !answer.toString().contains("permissions to run");
    } catch (io.lettuce.core.RedisCommandExecutionException e) {
      return !e.getMessage().contains("permissions to run");
    }
  }
}
