package dev.miosa.data.redis;

import dev.miosa.data.credentials.Secret;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A Redis server (a backend server) that tenant ACL users are placed on. Redis 7.0 or newer: the
 * provider relies on ACL selectors' subcommand rules ({@code +client|setname}) and on channel
 * patterns ({@code &prefix*}).
 *
 * @param id backend id recorded on resources ({@code redis-1})
 * @param host host the control plane connects to
 * @param port port the control plane connects to
 * @param adminUser a user allowed {@code ACL SETUSER/DELUSER}, {@code CLIENT KILL}, {@code SCAN}
 *     and {@code UNLINK} on every key ({@code default} when the admin URL has no user name)
 * @param adminPassword its password
 * @param tls whether connections use TLS ({@code rediss://})
 * @param publicHost host tenants are given in {@code REDIS_URL}
 * @param publicPort port tenants are given
 */
public record RedisServer(
    String id,
    String host,
    int port,
    String adminUser,
    Secret adminPassword,
    boolean tls,
    String publicHost,
    int publicPort) {

  /** The port Redis listens on unless told otherwise. */
  public static final int DEFAULT_PORT = 6379;

  /** Checks the values and fills public host and port from the admin ones when blank. */
  public RedisServer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(adminPassword, "adminPassword");
    if (adminUser == null || adminUser.isBlank()) {
      adminUser = "default";
    }
    if (port <= 0) {
      port = DEFAULT_PORT;
    }
    if (publicHost == null || publicHost.isBlank()) {
      publicHost = host;
    }
    if (publicPort <= 0) {
      publicPort = port;
    }
  }

  /**
   * Parses an admin URL {@code redis://user:password@host:port} or {@code rediss://...} (user and
   * password percent-encoded; {@code redis://:password@host} means the {@code default} user; a
   * database path is ignored, tenants always use database 0).
   *
   * @param id the backend id
   * @param url the URL, as in {@code MIOSA_REDIS_URL}
   * @return the server; public host and port equal the admin ones
   * @throws IllegalArgumentException if the URL has another scheme or lacks a password or host; the
   *     message never holds the password
   */
  public static RedisServer parse(String id, String url) {
    URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the Redis admin URL is not a valid URL");
    }
    boolean tls;
    if ("redis".equals(uri.getScheme())) {
      tls = false;
    } else if ("rediss".equals(uri.getScheme())) {
      tls = true;
    } else {
      throw new IllegalArgumentException(
          "the Redis admin URL must start with redis:// or rediss://");
    }
    String userInfo = uri.getRawUserInfo();
    if (userInfo == null || !userInfo.contains(":") || uri.getHost() == null) {
      throw new IllegalArgumentException(
          "the Redis admin URL needs user:password@host (or :password@host for the default user)");
    }
    String user = decode(userInfo.substring(0, userInfo.indexOf(':')));
    String password = decode(userInfo.substring(userInfo.indexOf(':') + 1));
    if (password.isEmpty()) {
      throw new IllegalArgumentException("the Redis admin URL needs a password");
    }
    int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_PORT;
    return new RedisServer(id, uri.getHost(), port, user, Secret.of(password), tls, null, 0);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /**
   * Returns a copy with other public coordinates (when tenants reach Redis through another name or
   * a proxy).
   *
   * @param host the public host, or blank to keep the admin host
   * @param port the public port, or 0 to keep the admin port
   */
  public RedisServer withPublicAddress(String host, int port) {
    return new RedisServer(id, this.host, this.port, adminUser, adminPassword, tls, host, port);
  }

  @Override
  public String toString() {
    return "RedisServer[" + id + " " + host + ":" + port + (tls ? " tls" : "") + "]";
  }
}
