package dev.miosa.data.postgres;

import dev.miosa.data.credentials.Secret;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * A tenant PostgreSQL server (a backend server) that databases and roles are placed on.
 *
 * @param id backend id recorded on resources ({@code pg-1})
 * @param host host the control plane connects to
 * @param port port the control plane connects to
 * @param adminUser a role with CREATEROLE and CREATEDB (or a superuser)
 * @param adminPassword its password
 * @param adminDatabase the maintenance database admin work connects to (never a template)
 * @param publicHost host tenants are given in their URLs
 * @param publicPort port tenants are given
 * @param sslmode the libpq {@code sslmode} written into tenant URLs ({@code disable}, {@code
 *     require}, {@code verify-full})
 */
public record PostgresServer(
    String id,
    String host,
    int port,
    String adminUser,
    Secret adminPassword,
    String adminDatabase,
    String publicHost,
    int publicPort,
    String sslmode) {

  /** Checks the values. */
  public PostgresServer {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(adminUser, "adminUser");
    Objects.requireNonNull(adminPassword, "adminPassword");
    if (adminDatabase == null || adminDatabase.isBlank()) {
      adminDatabase = "postgres";
    }
    if (adminDatabase.startsWith("template")) {
      throw new IllegalArgumentException("admin work must not connect to a template database");
    }
    if (publicHost == null || publicHost.isBlank()) {
      publicHost = host;
    }
    if (publicPort <= 0) {
      publicPort = port;
    }
    if (sslmode == null || sslmode.isBlank()) {
      sslmode = "prefer";
    }
  }

  /**
   * Parses an admin URL {@code postgresql://user:password@host:port/database?sslmode=...}
   * (percent-encoded user and password, as libpq reads them).
   *
   * @param id the backend id
   * @param url the URL
   * @return the server; public host and port equal the admin ones
   * @throws IllegalArgumentException if the URL lacks a user, password or host; the message never
   *     holds the password
   */
  public static PostgresServer parse(String id, String url) {
    URI uri;
    try {
      uri = URI.create(url.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("the tenant Postgres URL is not a valid URL");
    }
    if (!"postgresql".equals(uri.getScheme()) && !"postgres".equals(uri.getScheme())) {
      throw new IllegalArgumentException("the tenant Postgres URL must start with postgresql://");
    }
    String userInfo = uri.getRawUserInfo();
    if (userInfo == null || !userInfo.contains(":") || uri.getHost() == null) {
      throw new IllegalArgumentException("the tenant Postgres URL needs user:password@host");
    }
    String user = decode(userInfo.substring(0, userInfo.indexOf(':')));
    String password = decode(userInfo.substring(userInfo.indexOf(':') + 1));
    String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
    String sslmode = "prefer";
    if (uri.getRawQuery() != null) {
      for (String kv : uri.getRawQuery().split("&")) {
        if (kv.startsWith("sslmode=")) {
          sslmode = decode(kv.substring("sslmode=".length()));
        }
      }
    }
    int port = uri.getPort() > 0 ? uri.getPort() : 5432;
    return new PostgresServer(
        id, uri.getHost(), port, user, Secret.of(password), path, uri.getHost(), port, sslmode);
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }

  /** The JDBC URL of a database on this server, as the control plane reaches it. */
  public String adminJdbcUrl(String database) {
    return "jdbc:postgresql://" + host + ":" + port + "/" + database + "?sslmode=" + jdbcSslmode();
  }

  /** pgjdbc knows the libpq modes except that it has no {@code allow} semantics difference. */
  private String jdbcSslmode() {
    return sslmode;
  }

  @Override
  public String toString() {
    return "PostgresServer[" + id + " " + host + ":" + port + "]";
  }
}
