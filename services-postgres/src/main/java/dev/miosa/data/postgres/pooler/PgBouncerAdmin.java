package dev.miosa.data.postgres.pooler;

import dev.miosa.data.postgres.PgTools;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Commands on PgBouncer's admin console: a PostgreSQL-protocol connection to the special {@code
 * pgbouncer} database that speaks only the simple query protocol
 * (https://www.pgbouncer.org/usage.html#admin-console). They are run through {@code psql}: the
 * PostgreSQL JDBC driver since 42.7.5 sends {@code SET extra_float_digits} after login, which the
 * admin console of PgBouncer 1.18 refuses (pgbouncer/pgbouncer#1509). One {@code psql} session is
 * kept open and reused ({@link AdminConsoleSession}), so a command costs a round trip, not a
 * process start and a login.
 */
final class PgBouncerAdmin {

  private static final Pattern VERSION = Pattern.compile("(\\d+)\\.(\\d+)");

  private final AdminConsoleSession session;

  PgBouncerAdmin(PgTools tools, PgBouncer settings) {
    this.session =
        new AdminConsoleSession(
            tools,
            new PgTools.Target(
                settings.adminHost(),
                settings.adminPort(),
                settings.adminUser(),
                settings.adminPassword(),
                "pgbouncer",
                settings.sslmode()));
  }

  /** The version as {@code major * 100 + minor} ({@code 118} for 1.18), or 0 when unreadable. */
  int version() throws IOException {
    for (String line : session.run("SHOW VERSION")) {
      Matcher m = VERSION.matcher(line);
      if (m.find()) {
        return Integer.parseInt(m.group(1)) * 100 + Integer.parseInt(m.group(2));
      }
    }
    return 0;
  }

  /** {@code RELOAD}: re-reads pgbouncer.ini, its includes and the auth file. */
  void reload() throws IOException {
    session.run("RELOAD");
  }

  /** The database names PgBouncer currently knows (first column of {@code SHOW DATABASES}). */
  List<String> databases() throws IOException {
    List<String> out = new ArrayList<>();
    for (String line : session.run("SHOW DATABASES")) {
      if (!line.isBlank()) {
        out.add(line.split("\t", 2)[0]);
      }
    }
    return out;
  }

  /** {@code KILL db}: drops every client and server connection of a database. */
  void kill(String database) throws IOException {
    session.run("KILL " + database);
  }
}
