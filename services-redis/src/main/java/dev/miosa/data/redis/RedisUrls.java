package dev.miosa.data.redis;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the variables of a tenant namespace. The URL follows the IANA {@code redis} URI scheme
 * (https://www.iana.org/assignments/uri-schemes/prov/redis): {@code
 * redis://user:password@host:port/0}, {@code rediss://} with TLS; user and password are
 * percent-encoded (RFC 3986 section 3.2.1), which redis-cli, Lettuce, redis-py and node-redis all
 * decode.
 */
public final class RedisUrls {

  /** The names of the variables {@link #variables} gives. */
  public static final java.util.List<String> NAMES =
      java.util.List.of("REDIS_URL", "REDIS_KEY_PREFIX");

  private RedisUrls() {}

  /**
   * The variables of one namespace.
   *
   * @param server the server tenants connect to (its public host and port)
   * @param user the ACL user
   * @param password its password
   * @param keyPrefix the namespace's key prefix
   * @return {@code REDIS_URL} and {@code REDIS_KEY_PREFIX}, in that order
   */
  public static Map<String, String> variables(
      RedisServer server, String user, String password, String keyPrefix) {
    String host =
        server.publicHost().contains(":") ? "[" + server.publicHost() + "]" : server.publicHost();
    Map<String, String> out = new LinkedHashMap<>();
    out.put(
        "REDIS_URL",
        (server.tls() ? "rediss://" : "redis://")
            + userinfo(user)
            + ":"
            + userinfo(password)
            + "@"
            + host
            + ":"
            + server.publicPort()
            + "/0");
    out.put("REDIS_KEY_PREFIX", keyPrefix);
    return out;
  }

  /**
   * Percent-encodes text for the user-info part of a URL: every byte but ALPHA, DIGIT and {@code -
   * . _ *} becomes {@code %XX} (a space too, never {@code +}).
   */
  static String userinfo(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
