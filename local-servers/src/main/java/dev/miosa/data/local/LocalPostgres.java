package dev.miosa.data.local;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.credentials.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PostgreSQL cluster run as a local process from the machine's own binaries (Debian's {@code
 * postgresql-15}, found under {@code /usr/lib/postgresql/<major>/bin}, on {@code PATH}, or in
 * {@code MIOSA_PG_BIN}). Used by the embedded default and by tests.
 *
 * <p>Layout under the base directory: {@code data/} (PGDATA), {@code run/} (socket), {@code
 * postgres.log}, {@code superuser-password} (mode 0600) and {@code port}. Starting again on the
 * same directory finds the cluster again; if its server is still running (the JVM that started it
 * was killed), that server is reused.
 */
public final class LocalPostgres extends LocalServer {

  private static final Logger log = LoggerFactory.getLogger(LocalPostgres.class);

  /** The superuser created by initdb. */
  public static final String SUPERUSER = "postgres";

  private final Path bin;
  private final Secret password;

  private LocalPostgres(Path base, Path bin, int port, Secret password) {
    super(base, port);
    this.bin = bin;
    this.password = password;
  }

  /**
   * Starts (initialising first if needed) a cluster under {@code base}, or attaches to one that is
   * already running there.
   *
   * @param base the cluster's directory
   * @param settings extra server settings ({@code max_connections}, {@code fsync}, ...)
   * @return the running cluster
   * @throws IOException when no PostgreSQL binaries are found or the server does not start
   */
  public static LocalPostgres start(Path base, Map<String, String> settings) throws IOException {
    base = base.toAbsolutePath();
    Path bin = findBinaries();
    Path data = base.resolve("data");
    Path passwordFile = base.resolve("superuser-password");
    Files.createDirectories(base);
    LocalProcesses.prepareOwnedDirectory(base);

    if (!Files.exists(data.resolve("PG_VERSION"))) {
      initdb(bin, base, data, passwordFile);
    }
    Secret password = Secret.of(Files.readString(passwordFile).trim());

    Optional<Integer> runningPort = runningPort(data);
    if (runningPort.isPresent()) {
      log.info(
          "PostgreSQL under {} is already running on port {}; reusing it", base, runningPort.get());
      LocalPostgres pg = new LocalPostgres(base, bin, runningPort.get(), password);
      pg.awaitReady(Duration.ofSeconds(30));
      return pg;
    }

    int port = LocalProcesses.choosePort(base.resolve("port"));
    Path run = base.resolve("run");
    LocalProcesses.prepareOwnedDirectory(run);
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("port", Integer.toString(port));
    conf.put("listen_addresses", "'127.0.0.1'");
    conf.put("unix_socket_directories", "'" + run + "'");
    conf.put("max_connections", "200");
    conf.put("password_encryption", "'scram-sha-256'");
    conf.putAll(settings);
    StringBuilder text = new StringBuilder("# written by MIOSA at each start\n");
    conf.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
    Files.writeString(data.resolve("miosa.conf"), text);
    LocalProcesses.chown(data.resolve("miosa.conf"));

    Path logFile = base.resolve("postgres.log");
    if (!Files.exists(logFile)) {
      Files.createFile(logFile);
    }
    LocalProcesses.chown(logFile);
    LocalProcesses.run(
        LocalProcesses.unprivileged(
            List.of(
                bin.resolve("pg_ctl").toString(),
                "-D",
                data.toString(),
                "-l",
                logFile.toString(),
                "-w",
                "-t",
                "60",
                "start")),
        Duration.ofSeconds(90));
    LocalPostgres pg = new LocalPostgres(base, bin, port, password);
    pg.awaitReady(Duration.ofSeconds(30));
    log.info("PostgreSQL started under {} on 127.0.0.1:{}", base, port);
    return pg;
  }

  private static void initdb(Path bin, Path base, Path data, Path passwordFile) throws IOException {
    Secret password = Passwords.alphanumeric(40);
    LocalProcesses.writePrivate(passwordFile, password.reveal());
    Path pwfile = base.resolve("initdb-pw");
    Files.writeString(pwfile, password.reveal());
    LocalProcesses.chown(pwfile);
    LocalProcesses.prepareOwnedDirectory(data);
    try {
      LocalProcesses.run(
          LocalProcesses.unprivileged(
              List.of(
                  bin.resolve("initdb").toString(),
                  "-D",
                  data.toString(),
                  "-U",
                  SUPERUSER,
                  "--pwfile=" + pwfile,
                  "--auth=scram-sha-256",
                  "--encoding=UTF8",
                  "--locale=C.UTF-8",
                  "--no-instructions")),
          Duration.ofMinutes(3));
    } finally {
      Files.deleteIfExists(pwfile);
    }
    Files.writeString(
        data.resolve("postgresql.conf"),
        "\ninclude_if_exists = 'miosa.conf'\n",
        java.nio.file.StandardOpenOption.APPEND);
  }

  /**
   * Finds PostgreSQL server binaries: {@code MIOSA_PG_BIN} (a directory, or {@code bundled} to
   * force the classpath bundle), then the newest {@code /usr/lib/postgresql/<major>/bin}, then
   * {@code PATH}, then the bundle on the classpath ({@link BundledPostgres}).
   *
   * @return the directory holding {@code initdb}, {@code pg_ctl} and {@code postgres}
   * @throws IOException naming what to install when none are found
   */
  public static Path findBinaries() throws IOException {
    String env = System.getProperty("miosa.pg.bin", System.getenv("MIOSA_PG_BIN"));
    if ("bundled".equals(env)) {
      return BundledPostgres.binDir()
          .orElseThrow(() -> new IOException("no bundled PostgreSQL binaries for this platform"));
    }
    if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env, "pg_ctl"))) {
      return Path.of(env);
    }
    Path debian = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(debian)) {
      try (Stream<Path> versions = Files.list(debian)) {
        Optional<Path> best =
            versions
                .filter(p -> Files.isExecutable(p.resolve("bin/pg_ctl")))
                .max(Comparator.comparingInt(LocalPostgres::majorOf));
        if (best.isPresent()) {
          return best.get().resolve("bin");
        }
      }
    }
    Optional<Path> onPath = LocalProcesses.findExecutable("pg_ctl", List.of());
    if (onPath.isPresent() && LocalProcesses.findExecutable("initdb", List.of()).isPresent()) {
      return onPath.get().toRealPath().getParent();
    }
    Optional<Path> bundled = BundledPostgres.binDir();
    if (bundled.isPresent()) {
      return bundled.get();
    }
    throw new IOException(
        "no PostgreSQL server binaries found: install them (Debian: apt-get install postgresql-15)"
            + " or set MIOSA_PG_BIN to the directory holding pg_ctl");
  }

  private static int majorOf(Path versionDir) {
    try {
      return Integer.parseInt(versionDir.getFileName().toString());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static Optional<Integer> runningPort(Path data) {
    Path pidFile = data.resolve("postmaster.pid");
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      List<String> lines = Files.readAllLines(pidFile);
      if (lines.size() < 4) {
        return Optional.empty();
      }
      long pid = Long.parseLong(lines.get(0).trim());
      if (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
        return Optional.of(Integer.parseInt(lines.get(3).trim()));
      }
    } catch (IOException | NumberFormatException e) {
      log.debug("cannot read {}: {}", pidFile, e.toString());
    }
    return Optional.empty();
  }

  private void awaitReady(Duration timeout) throws IOException {
    awaitReady(
        "PostgreSQL",
        timeout,
        Duration.ofMillis(100),
        () -> {
          try (Connection c = connect("postgres")) {
            // connected: ready
          }
        });
  }

  /** The superuser's password. */
  public Secret superuserPassword() {
    return password;
  }

  /** The directory of the server binaries (also holds {@code pg_dump}, {@code psql}). */
  public Path binDir() {
    return bin;
  }

  /** A JDBC URL of a database on this cluster, without credentials. */
  public String jdbcUrl(String database) {
    return "jdbc:postgresql://" + host() + ":" + port + "/" + database;
  }

  /**
   * Connects as the superuser.
   *
   * @param database the database name
   * @return a new connection (the caller closes it)
   */
  public Connection connect(String database) throws SQLException {
    var props = new java.util.Properties();
    props.setProperty("user", SUPERUSER);
    props.setProperty("password", password.reveal());
    return DriverManager.getConnection(jdbcUrl(database), props);
  }

  /**
   * Creates a database owned by the superuser unless it exists.
   *
   * @param name a plain lowercase identifier
   */
  public void createDatabaseIfAbsent(String name) throws SQLException {
    if (!name.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException("not a plain database name");
    }
    try (Connection c = connect("postgres");
        var st = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
      st.setString(1, name);
      if (!st.executeQuery().next()) {
        try (var create = c.createStatement()) {
          create.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
          if (!"42P04".equals(e.getSQLState())) {
            throw e;
          }
        }
      }
    }
  }

  /** Stops the server (fast shutdown: sessions are ended, data is flushed). */
  @Override
  public void stop() {
    try {
      List<String> cmd =
          new ArrayList<>(
              List.of(
                  bin.resolve("pg_ctl").toString(),
                  "-D",
                  base.resolve("data").toString(),
                  "-m",
                  "fast",
                  "-w",
                  "stop"));
      LocalProcesses.run(LocalProcesses.unprivileged(cmd), Duration.ofSeconds(60));
      log.info("PostgreSQL under {} stopped", base);
    } catch (IOException e) {
      log.warn("stopping PostgreSQL under {} failed: {}", base, e.getMessage());
    }
  }
}
