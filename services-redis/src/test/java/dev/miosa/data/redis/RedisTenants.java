package dev.miosa.data.redis;

import dev.miosa.data.local.LocalRedis;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.output.NestedMultiOutput;
import io.lettuce.core.protocol.CommandArgs;
import io.lettuce.core.protocol.ProtocolKeyword;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Test helpers: connect as a tenant with its {@code REDIS_URL}, or as the admin; send raw commands.
 */
final class RedisTenants {

  static final ClientResources RESOURCES =
      DefaultClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();

  private static final List<RedisClient> CLIENTS = new ArrayList<>();

  private RedisTenants() {}

  /**
   * A tenant connection made from the variables alone, as an application would (Lettuce defaults:
   * RESP3 HELLO).
   */
  static StatefulRedisConnection<String, String> connect(Map<String, String> variables) {
    return client(RedisURI.create(variables.get("REDIS_URL")), true).connect();
  }

  /** A tenant pub/sub connection made from the variables alone. */
  static StatefulRedisPubSubConnection<String, String> connectPubSub(
      Map<String, String> variables) {
    return client(RedisURI.create(variables.get("REDIS_URL")), true).connectPubSub();
  }

  /** A client that does not reconnect by itself (to observe a closed connection). */
  static RedisClient clientWithoutReconnect(Map<String, String> variables) {
    return client(RedisURI.create(variables.get("REDIS_URL")), false);
  }

  /** An admin connection to a local server. */
  static StatefulRedisConnection<String, String> admin(LocalRedis redis) {
    RedisURI uri =
        RedisURI.builder()
            .withHost(redis.host())
            .withPort(redis.port())
            .withAuthentication(redis.adminUser(), redis.adminPassword().reveal().toCharArray())
            .build();
    return client(uri, true).connect();
  }

  static synchronized RedisClient client(RedisURI uri, boolean reconnect) {
    RedisClient client = RedisClient.create(RESOURCES, uri);
    client.setOptions(ClientOptions.builder().autoReconnect(reconnect).build());
    CLIENTS.add(client);
    return client;
  }

  /** The provider's server record for a local server. */
  static RedisServer serverOf(String id, LocalRedis redis) {
    return new RedisServer(
        id, redis.host(), redis.port(), redis.adminUser(), redis.adminPassword(), false, null, 0);
  }

  /**
   * Sends any command and returns its reply as nested lists of strings and numbers.
   *
   * @throws io.lettuce.core.RedisCommandExecutionException with the server's error
   */
  static List<Object> run(StatefulRedisConnection<String, String> c, String... command) {
    ProtocolKeyword keyword =
        new ProtocolKeyword() {
          @Override
          public byte[] getBytes() {
            return command[0].getBytes(StandardCharsets.UTF_8);
          }

          @Override
          public String toString() {
            return command[0];
          }
        };
    CommandArgs<String, String> args = new CommandArgs<>(StringCodec.UTF8);
    for (int i = 1; i < command.length; i++) {
      args.add(command[i]);
    }
    return c.sync().dispatch(keyword, new NestedMultiOutput<>(StringCodec.UTF8), args);
  }

  static synchronized void shutdownAll() {
    CLIENTS.forEach(c -> c.shutdown(java.time.Duration.ZERO, java.time.Duration.ofSeconds(1)));
    CLIENTS.clear();
  }
}
