package dev.miosa.data.postgres;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.process.ExternalProcess;
import dev.miosa.data.process.ProcessSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The PostgreSQL client programs the control plane runs: {@code psql} (PgBouncer's admin console),
 * {@code pg_dump} and {@code pg_restore} (backups). They come from Debian's {@code
 * postgresql-client-15}; {@code pg_dump} refuses servers of a newer major version, so keep the
 * tools' major version at least the tenant servers'.
 *
 * <p>Connection settings go to the programs as libpq environment variables ({@code PGHOST}, {@code
 * PGPASSWORD}, ...), never as arguments, so passwords do not show in process listings.
 */
public final class PgTools {

  private final Path bin;

  private PgTools(Path bin) {
    this.bin = bin;
  }

  /**
   * Finds the tools: in {@code dir} when given, else the newest {@code
   * /usr/lib/postgresql/<major>/bin}, else {@code PATH}.
   *
   * @param dir a directory holding {@code pg_dump}, {@code pg_restore} and {@code psql}, or null
   * @return the tools
   * @throws IllegalStateException naming what to install when they are missing
   */
  public static PgTools locate(Path dir) {
    if (dir != null) {
      if (!Files.isExecutable(dir.resolve("pg_dump"))) {
        throw new IllegalStateException("no pg_dump in " + dir);
      }
      return new PgTools(dir);
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        Optional<Path> best =
            versions
                .filter(
                    p ->
                        Files.isExecutable(p.resolve("bin/pg_dump"))
                            && Files.isExecutable(p.resolve("bin/psql")))
                .max(Comparator.comparingInt(PgTools::majorOf));
        if (best.isPresent()) {
          return new PgTools(best.get().resolve("bin"));
        }
      } catch (IOException e) {
        // fall through to PATH
      }
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String d : path.split(":")) {
        if (!d.isEmpty()
            && Files.isExecutable(Path.of(d, "pg_dump"))
            && Files.isExecutable(Path.of(d, "psql"))) {
          return new PgTools(Path.of(d));
        }
      }
    }
    throw new IllegalStateException(
        "PostgreSQL client tools (psql, pg_dump, pg_restore) not found: install them (Debian:"
            + " apt-get install postgresql-client-15) or set MIOSA_POSTGRES_TOOLS_DIR");
  }

  private static int majorOf(Path versionDir) {
    try {
      return Integer.parseInt(versionDir.getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The directory of the tools. */
  public Path dir() {
    return bin;
  }

  /**
   * Where and as whom a tool connects.
   *
   * @param host host
   * @param port port
   * @param user role
   * @param password its password
   * @param database database
   * @param sslmode libpq sslmode
   */
  public record Target(
      String host, int port, String user, Secret password, String database, String sslmode) {
    @Override
    public String toString() {
      return "Target[" + user + "@" + host + ":" + port + "/" + database + "]";
    }
  }

  /**
   * A run of a tool connecting to {@code target}: libpq settings in the environment (the password
   * masked in any error), {@code ~/.pgpass} and service files disabled.
   *
   * @param tool {@code psql}, {@code pg_dump} or {@code pg_restore}
   * @param target where it connects
   * @param args its arguments (never a password)
   * @return the spec, not started (default timeout: 60 s; set a longer one for dumps)
   */
  public ProcessSpec command(String tool, Target target, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(bin.resolve(tool).toString());
    cmd.addAll(args);
    return ExternalProcess.command(cmd)
        .removeEnv("PG.*")
        .timeout(Duration.ofSeconds(60))
        .env("PGHOST", target.host())
        .env("PGPORT", Integer.toString(target.port()))
        .env("PGUSER", target.user())
        .env("PGPASSWORD", target.password().reveal())
        .env("PGDATABASE", target.database())
        .env("PGSSLMODE", target.sslmode())
        .env("PGCONNECT_TIMEOUT", "10")
        .env("PGAPPNAME", "miosa-" + tool.replace('_', '-'))
        .env("PGPASSFILE", "/dev/null")
        .env("PGSERVICEFILE", "/dev/null")
        .env("PGCLIENTENCODING", "UTF8");
  }

  /**
   * Runs {@code psql} with commands (simple query protocol, one command per {@code -c}) and returns
   * the rows as tab-separated lines without headers.
   *
   * @param target where it connects
   * @param commands SQL commands
   * @return the output's lines
   * @throws IOException when psql fails or does not finish within 60 s (the message holds the end
   *     of psql's error text, never the password)
   */
  public List<String> psql(Target target, List<String> commands) throws IOException {
    List<String> args =
        new ArrayList<>(List.of("-X", "-q", "-A", "-t", "-F", "\t", "-v", "ON_ERROR_STOP=1"));
    for (String c : commands) {
      args.add("-c");
      args.add(c);
    }
    String out = command("psql", target, args).mergeStderr().runChecked();
    return out.isEmpty() ? List.of() : List.of(out.split("\n"));
  }
}
