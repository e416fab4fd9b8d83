package dev.miosa.data.postgres;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Builds the connection variables of a tenant database. User names and passwords are
 * percent-encoded with only RFC 3986 unreserved characters left as they are, so that {@code @ / : %
 * ? # +} and spaces survive both libpq's URI parser (PostgreSQL docs, 34.1.1.2 Connection URIs) and
 * pgjdbc's URL parser (which also turns {@code +} into a space).
 */
public final class ConnectionUrls {

  /** The names of the variables {@link #variables} gives. */
  public static final java.util.List<String> NAMES =
      java.util.List.of(
          "DATABASE_URL",
          "DATABASE_URL_UNPOOLED",
          "JDBC_DATABASE_URL",
          "PGHOST",
          "PGPORT",
          "PGDATABASE",
          "PGUSER",
          "PGPASSWORD");

  private ConnectionUrls() {}

  /**
   * The variables of one tenant database.
   *
   * @param host host tenants connect to
   * @param port port tenants connect to
   * @param database database name
   * @param user role name
   * @param password role password
   * @param sslmode libpq sslmode, written explicitly
   * @param pooled whether the host/port is a transaction-mode pooler (adds {@code
   *     prepareThreshold=0} to the JDBC URL)
   * @param directHost host of the server itself (for {@code DATABASE_URL_UNPOOLED})
   * @param directPort port of the server itself
   * @return {@code DATABASE_URL}, {@code DATABASE_URL_UNPOOLED}, {@code JDBC_DATABASE_URL} and
   *     {@code PG*}, in that order
   */
  public static Map<String, String> variables(
      String host,
      int port,
      String database,
      String user,
      String password,
      String sslmode,
      boolean pooled,
      String directHost,
      int directPort) {
    Map<String, String> out = new LinkedHashMap<>();
    out.put("DATABASE_URL", uri(host, port, database, user, password, sslmode));
    out.put(
        "DATABASE_URL_UNPOOLED", uri(directHost, directPort, database, user, password, sslmode));
    out.put(
        "JDBC_DATABASE_URL",
        "jdbc:postgresql://"
            + hostPort(host, port)
            + "/"
            + encode(database)
            + "?user="
            + encode(user)
            + "&password="
            + encode(password)
            + "&sslmode="
            + encode(sslmode)
            + (pooled ? "&prepareThreshold=0" : ""));
    out.put("PGHOST", host);
    out.put("PGPORT", Integer.toString(port));
    out.put("PGDATABASE", database);
    out.put("PGUSER", user);
    out.put("PGPASSWORD", password);
    return out;
  }

  /** A libpq URI {@code postgresql://user:password@host:port/db?sslmode=...}. */
  public static String uri(
      String host, int port, String database, String user, String password, String sslmode) {
    return "postgresql://"
        + encode(user)
        + ":"
        + encode(password)
        + "@"
        + hostPort(host, port)
        + "/"
        + encode(database)
        + "?sslmode="
        + encode(sslmode);
  }

  private static String hostPort(String host, int port) {
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
  }

  /**
   * Percent-encodes every byte of the UTF-8 form except RFC 3986 unreserved characters ({@code A-Z
   * a-z 0-9 - . _ ~}).
   *
   * @param value the raw text
   * @return the encoded text
   */
  public static String encode(String value) {
    StringBuilder out = new StringBuilder(value.length() + 8);
    for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z')
          || (c >= 'a' && c <= 'z')
          || (c >= '0' && c <= '9')
          || c == '-'
          || c == '.'
          || c == '_'
          || c == '~') {
        out.append((char) c);
      } else {
        out.append('%')
            .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }
}
