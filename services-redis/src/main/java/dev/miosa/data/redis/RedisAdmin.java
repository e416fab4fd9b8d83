package dev.miosa.data.redis;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.IntegerOutput;
import io.lettuce.core.output.StatusOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.CommandType;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The control plane's admin connection to one Redis server (Lettuce, one long-lived connection,
 * thread-safe). Commands fail fast instead of queueing while disconnected ({@code
 * REJECT_COMMANDS}), with a 5-second connect and a 30-second command timeout, so no caller ever
 * hangs on an unreachable server; Lettuce reconnects in the background.
 *
 * <p>Errors come out as {@link RedisException}s; their messages never hold the admin password.
 */
public final class RedisAdmin implements AutoCloseable {

  /** Keys asked per {@code SCAN} step and removed per {@code UNLINK}. */
  public static final int SCAN_BATCH = 1000;

  private final RedisServer server;
  private final ClientResources resources;
  private final RedisClient client;
  private StatefulRedisConnection<String, String> connection;

  /**
   * Prepares a connection; nothing is opened until the first command.
   *
   * @param server the server to administer
   */
  public RedisAdmin(RedisServer server) {
    this.server = server;
    RedisURI uri =
        RedisURI.builder()
            .withHost(server.host())
            .withPort(server.port())
            .withSsl(server.tls())
            .withAuthentication(server.adminUser(), server.adminPassword().reveal().toCharArray())
            .withClientName("miosa-control-plane")
            .withTimeout(Duration.ofSeconds(30))
            .build();
    // Reconnect attempts back off from 10 ms up to 1 s (Lettuce's default goes up to 30 s), so a
    // restarted server is seen, and its users re-applied, within about a second.
    this.resources =
        DefaultClientResources.builder()
            .ioThreadPoolSize(1)
            .computationThreadPoolSize(1)
            .reconnectDelay(
                Delay.exponential(
                    Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
            .build();
    this.client = RedisClient.create(resources, uri);
    client.setOptions(
        ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .socketOptions(SocketOptions.builder().connectTimeout(Duration.ofSeconds(5)).build())
            .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(30)))
            .build());
  }

  /** The server administered. */
  public RedisServer server() {
    return server;
  }

  private synchronized RedisCommands<String, String> sync() {
    if (connection == null || !connection.isOpen()) {
      if (connection != null) {
        connection.closeAsync();
      }
      connection = client.connect();
    }
    return connection.sync();
  }

  /**
   * Reads {@code INFO server}.
   *
   * @return its fields ({@code run_id}, {@code redis_version}, ...)
   */
  public Map<String, String> serverInfo() {
    Map<String, String> out = new LinkedHashMap<>();
    for (String line : sync().info("server").split("\r?\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && !line.startsWith("#")) {
        out.put(line.substring(0, colon), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  /**
   * Which of the given command names ({@code client|setinfo}) the server knows, by {@code COMMAND
   * INFO}.
   */
  public Set<String> knownCommands(List<String> names) {
    if (names.isEmpty()) {
      return Set.of();
    }
    List<Object> info = sync().commandInfo(names.toArray(String[]::new));
    Set<String> known = new HashSet<>();
    for (int i = 0; i < names.size() && i < info.size(); i++) {
      if (info.get(i) != null) {
        known.add(names.get(i));
      }
    }
    return known;
  }

  /**
   * Runs {@code ACL SETUSER user rules...}.
   *
   * @param user the user name
   * @param rules the rules (may hold a password hash: never logged)
   */
  public void aclSetUser(String user, List<String> rules) {
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(user);
    rules.forEach(args::add);
    sync().dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args);
  }

  /**
   * Deletes a user; Redis closes the connections authenticated as it.
   *
   * @return whether the user existed
   */
  public boolean aclDelUser(String user) {
    return sync().aclDeluser(user) > 0;
  }

  /** Whether the user exists ({@code ACL USERS}). */
  public boolean userExists(String user) {
    // ACL GETUSER is O(1); ACL USERS would list every tenant on the server.
    // Redis answers nil for an unknown user, which Lettuce may hand over as null, [] or [null].
    List<Object> rules = sync().aclGetuser(user);
    return rules != null && rules.stream().anyMatch(java.util.Objects::nonNull);
  }

  /**
   * Runs {@code ACL SETUSER} for many users, pipelined: all commands are sent before any reply is
   * awaited, so applying N users costs about one round trip plus Redis' own work, not N round
   * trips.
   *
   * @param users user name to its rules
   * @throws RedisException the first failure, once every reply has arrived
   */
  public void aclSetUsers(Map<String, List<String>> users) {
    if (users.isEmpty()) {
      return;
    }
    // A connection of its own, flushed once: the shared one must not hold back other commands.
    try (StatefulRedisConnection<String, String> batch = client.connect()) {
      batch.setAutoFlushCommands(false);
      awaitAll(dispatchSetUsers(batch.async(), users));
    }
  }

  private static List<io.lettuce.core.RedisFuture<String>> dispatchSetUsers(
      io.lettuce.core.api.async.RedisAsyncCommands<String, String> async,
      Map<String, List<String>> users) {
    List<io.lettuce.core.RedisFuture<String>> replies = new java.util.ArrayList<>(users.size());
    users.forEach(
        (user, rules) -> {
          CommandArgs<String, String> args =
              new CommandArgs<>(StringCodec.UTF8).add("SETUSER").add(user);
          rules.forEach(args::add);
          replies.add(async.dispatch(CommandType.ACL, new StatusOutput<>(StringCodec.UTF8), args));
        });
    async.flushCommands();
    return replies;
  }

  private static void awaitAll(List<io.lettuce.core.RedisFuture<String>> replies) {
    RedisException first = null;
    for (var reply : replies) {
      try {
        reply.get(30, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        if (first == null) {
          first =
              e.getCause() instanceof RedisException re
                  ? re
                  : new RedisException("ACL SETUSER failed", e.getCause());
        }
      } catch (java.util.concurrent.TimeoutException e) {
        throw new io.lettuce.core.RedisCommandTimeoutException("ACL SETUSER timed out");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RedisException("interrupted while applying ACL users", e);
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /**
   * Closes every connection authenticated as the user ({@code CLIENT KILL USER}).
   *
   * @return how many were closed; 0 when the user does not exist
   */
  public long killConnectionsOf(String user) {
    try {
      Long n =
          sync()
              .dispatch(
                  CommandType.CLIENT,
                  new IntegerOutput<>(StringCodec.UTF8),
                  new CommandArgs<>(StringCodec.UTF8).add("KILL").add("USER").add(user));
      return n == null ? 0 : n;
    } catch (RedisCommandExecutionException e) {
      if (e.getMessage() != null && e.getMessage().contains("No such user")) {
        return 0;
      }
      throw e;
    }
  }

  /**
   * Removes every key matching a pattern without blocking the server: {@code SCAN MATCH} in steps
   * of {@value #SCAN_BATCH}, each step's keys removed by one {@code UNLINK} (memory freed in a
   * background thread).
   *
   * @param pattern a {@code SCAN MATCH} pattern
   * @return how many keys were unlinked
   */
  public long unlinkMatching(String pattern) {
    RedisCommands<String, String> redis = sync();
    ScanArgs args = ScanArgs.Builder.matches(pattern).limit(SCAN_BATCH);
    long removed = 0;
    ScanCursor cursor = ScanCursor.INITIAL;
    do {
      KeyScanCursor<String> step = redis.scan(cursor, args);
      if (!step.getKeys().isEmpty()) {
        removed += redis.unlink(step.getKeys().toArray(String[]::new));
      }
      cursor = step;
    } while (!cursor.isFinished());
    return removed;
  }

  /** Closes the connection and the client's threads. */
  @Override
  public synchronized void close() {
    if (connection != null) {
      connection.close();
    }
    client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    resources.shutdown(0, 2, TimeUnit.SECONDS);
  }
}
