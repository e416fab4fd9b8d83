package dev.miosa.data.local;

import dev.miosa.data.credentials.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PgBouncer run as a local process from the machine's own binary (Debian's {@code pgbouncer},
 * 1.18 on Debian 12; found on {@code PATH}, in {@code /usr/sbin}, or in {@code
 * MIOSA_PGBOUNCER_BIN}). Used by the embedded default and by tests. PgBouncer refuses to run as
 * root, so when this JVM is root it runs as the service user (see {@link
 * LocalProcesses#unprivileged}).
 *
 * <p>Layout under the base directory: {@code pgbouncer.ini} (rewritten at each start), {@code
 * conf/} (the files the control plane generates: {@code databases.ini}, included at the end of
 * {@code pgbouncer.ini}, and {@code users.txt}, the {@code auth_file}), {@code pgbouncer.log},
 * {@code pgbouncer.pid}, {@code port} and {@code admin-password} (mode 0600). {@code conf/} is
 * group-owned by the service user with the setgid bit, so files a root JVM writes there with mode
 * 0640 are readable by PgBouncer. Until the control plane writes them, {@code conf/} holds an empty
 * database list and an auth file with only the admin user.
 *
 * <p>Settings (PgBouncer 1.18 configuration, https://www.pgbouncer.org/config.html): SCRAM
 * authentication from the auth file, transaction pooling by default, {@code
 * ignore_startup_parameters = extra_float_digits} (the PostgreSQL JDBC driver sends it), no Unix
 * socket. Starting again on the same directory reuses a PgBouncer that is still running there.
 */
public final class LocalPgBouncer extends LocalServer {

  private static final Logger log = LoggerFactory.getLogger(LocalPgBouncer.class);

  /** The admin console user ({@code admin_users}). */
  public static final String ADMIN_USER = "miosa_admin";

  /** The file names under {@link #configDir()}. */
  public static final String DATABASES_FILE = "databases.ini";

  /** The auth file's name under {@link #configDir()}. */
  public static final String USERS_FILE = "users.txt";

  private final Path binary;
  private final Map<String, String> settings;
  private final Secret adminPassword;

  private LocalPgBouncer(
      Path base, Path binary, Map<String, String> settings, Secret adminPassword) {
    super(base, 0);
    this.binary = binary;
    this.settings = settings;
    this.adminPassword = adminPassword;
  }

  /**
   * Starts a PgBouncer under {@code base}, or attaches to one already running there.
   *
   * @param base its directory
   * @param settings extra {@code [pgbouncer]} settings ({@code max_client_conn}, {@code
   *     default_pool_size}, ...), written over the defaults
   * @return the running PgBouncer
   * @throws IOException when the binary is missing (the message says what to install) or it does
   *     not start (the message holds the log's tail)
   */
  public static LocalPgBouncer start(Path base, Map<String, String> settings) throws IOException {
    base = base.toAbsolutePath();
    Path binary = findBinary();
    Files.createDirectories(base);
    Secret password = storedPassword(base.resolve("admin-password"));
    LocalPgBouncer bouncer = new LocalPgBouncer(base, binary, Map.copyOf(settings), password);
    bouncer.startProcess();
    return bouncer;
  }

  /**
   * Finds the {@code pgbouncer} binary: {@code MIOSA_PGBOUNCER_BIN}, then {@code PATH} and {@code
   * /usr/sbin}.
   *
   * @return its path
   * @throws IOException naming what to install when it is missing
   */
  public static Path findBinary() throws IOException {
    String env = System.getenv("MIOSA_PGBOUNCER_BIN");
    if (env != null && !env.isBlank() && Files.isExecutable(Path.of(env))) {
      return Path.of(env);
    }
    return LocalProcesses.findExecutable("pgbouncer", List.of())
        .orElseThrow(
            () ->
                new IOException(
                    "pgbouncer not found: install it (Debian: apt-get install pgbouncer) or set"
                        + " MIOSA_PGBOUNCER_BIN to the binary"));
  }

  private synchronized void startProcess() throws IOException {
    Path conf = configDir();
    Files.createDirectories(conf);
    prepareConfigDir(conf);
    Optional<Long> running = runningPid();
    if (running.isPresent() && Files.exists(base.resolve("port"))) {
      port = Integer.parseInt(Files.readString(base.resolve("port")).trim());
      log.info("PgBouncer under {} is already running on port {}; reusing it", base, port);
      awaitReady(Duration.ofSeconds(30));
      return;
    }
    port = LocalProcesses.choosePort(base.resolve("port"));
    if (!Files.exists(conf.resolve(DATABASES_FILE))) {
      writeShared(conf.resolve(DATABASES_FILE), "[databases]\n");
    }
    if (!Files.exists(conf.resolve(USERS_FILE))) {
      // Replaced by the control plane with SCRAM verifiers at its first sync.
      writeShared(
          conf.resolve(USERS_FILE), quote(ADMIN_USER) + " " + quote(adminPassword.reveal()) + "\n");
    }
    Map<String, String> ini = new LinkedHashMap<>();
    ini.put("listen_addr", "127.0.0.1");
    ini.put("listen_port", Integer.toString(port));
    ini.put("unix_socket_dir", "");
    ini.put("auth_type", "scram-sha-256");
    ini.put("auth_file", conf.resolve(USERS_FILE).toString());
    ini.put("admin_users", ADMIN_USER);
    ini.put("stats_users", ADMIN_USER);
    ini.put("pool_mode", "transaction");
    ini.put("max_client_conn", "1000");
    ini.put("default_pool_size", "10");
    ini.put("ignore_startup_parameters", "extra_float_digits");
    ini.put("server_idle_timeout", "60");
    ini.put("logfile", base.resolve("pgbouncer.log").toString());
    ini.put("pidfile", base.resolve("pgbouncer.pid").toString());
    ini.putAll(settings);
    StringBuilder text = new StringBuilder("; written by MIOSA at each start\n[pgbouncer]\n");
    ini.forEach((k, v) -> text.append(k).append(" = ").append(v).append('\n'));
    text.append("\n%include ").append(conf.resolve(DATABASES_FILE)).append('\n');
    Path iniFile = base.resolve("pgbouncer.ini");
    Files.writeString(iniFile, text);
    Path logFile = base.resolve("pgbouncer.log");
    if (!Files.exists(logFile)) {
      Files.createFile(logFile);
    }
    LocalProcesses.chown(iniFile);
    LocalProcesses.chown(logFile);
    // The pidfile must be writable by PgBouncer: base itself is owned by the service user.
    LocalProcesses.chownOne(base);
    // A soft file-descriptor limit of 1024 (what runuser sets) caps clients below max_client_conn.
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "sh",
                "-c",
                "ulimit -n \"$(ulimit -Hn)\"; exec \"$0\" -d \"$1\"",
                binary.toString(),
                iniFile.toString()));
    try {
      LocalProcesses.run(LocalProcesses.unprivileged(cmd), Duration.ofSeconds(30));
      awaitReady(Duration.ofSeconds(30));
    } catch (IOException e) {
      String logTail = LocalProcesses.tail(readLog(), 2000);
      stop(); // a PgBouncer that started but never answered is not left behind
      throw new IOException(e.getMessage() + "; log: " + logTail, e);
    }
    log.info("PgBouncer started under {} on 127.0.0.1:{}", base, port);
  }

  private void prepareConfigDir(Path conf) throws IOException {
    LocalProcesses.prepareOwnedDirectory(conf);
    // setgid: files created here by a root JVM get the service user's group.
    Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rwxrwx---"));
    LocalProcesses.run(List.of("chmod", "g+s", conf.toString()), Duration.ofSeconds(10));
  }

  private static void writeShared(Path file, String text) throws IOException {
    Files.writeString(file, text);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r-----"));
    LocalProcesses.chown(file);
  }

  private static String quote(String s) {
    return '"' + s.replace("\"", "\"\"") + '"';
  }

  private String readLog() {
    try {
      return Files.readString(base.resolve("pgbouncer.log"));
    } catch (IOException e) {
      return "";
    }
  }

  private Optional<Long> runningPid() {
    return LocalProcesses.livePid(base.resolve("pgbouncer.pid"));
  }

  private void awaitReady(Duration timeout) throws IOException {
    awaitReady("PgBouncer", timeout, Duration.ofMillis(50), () -> admin("SHOW VERSION"));
  }

  /** The admin console user. */
  public String adminUser() {
    return ADMIN_USER;
  }

  /** The admin console user's password. */
  public Secret adminPassword() {
    return adminPassword;
  }

  /** The directory of the generated {@code databases.ini} and {@code users.txt}. */
  public Path configDir() {
    return base.resolve("conf");
  }

  /**
   * Runs a command on the admin console (the special {@code pgbouncer} database) with {@code psql}:
   * the PostgreSQL JDBC driver (42.7.5+) cannot log into PgBouncer 1.18's admin console, which
   * refuses the {@code SET extra_float_digits} the driver sends.
   *
   * @param command e.g. {@code SHOW DATABASES}
   * @return the rows, tab-separated, without header
   * @throws IOException when psql fails or is missing
   */
  public List<String> admin(String command) throws IOException {
    Path psql =
        LocalProcesses.findExecutable("psql", debianClientDirs())
            .orElseThrow(() -> new IOException("psql not found: install postgresql-client-15"));
    ProcessBuilder pb =
        new ProcessBuilder(
            psql.toString(),
            "-X",
            "-q",
            "-A",
            "-t",
            "-F",
            "\t",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            command);
    pb.environment().keySet().removeIf(k -> k.startsWith("PG"));
    pb.environment().put("PGHOST", host());
    pb.environment().put("PGPORT", Integer.toString(port));
    pb.environment().put("PGUSER", ADMIN_USER);
    pb.environment().put("PGPASSWORD", adminPassword.reveal());
    pb.environment().put("PGDATABASE", "pgbouncer");
    pb.environment().put("PGSSLMODE", "disable");
    pb.environment().put("PGCONNECT_TIMEOUT", "5");
    Process p = pb.redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out =
        new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IOException("psql on the admin console: " + out.strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    return out.isEmpty() ? List.of() : List.of(out.split("\n"));
  }

  /** Stops PgBouncer (immediate shutdown: clients are disconnected) and waits until it exited. */
  @Override
  public synchronized void stop() {
    Optional<Long> pid = runningPid();
    if (pid.isEmpty()) {
      return;
    }
    ProcessHandle.of(pid.get()).ifPresent(ProcessHandle::destroy); // SIGTERM: immediate shutdown
    // Exited, and its port released, within 30 seconds.
    awaitCondition(
        Duration.ofSeconds(30), () -> runningPid().isEmpty() && LocalProcesses.isFree(port));
    if (Thread.currentThread().isInterrupted()) {
      return;
    }
    log.info("PgBouncer under {} stopped", base);
  }

  /**
   * Stops and starts PgBouncer again on the same directory and port: it reads the generated files
   * from disk, as after a machine reboot.
   *
   * @throws IOException when it does not come back
   */
  public synchronized void restart() throws IOException {
    stop();
    startProcess();
  }

  private static List<Path> debianClientDirs() {
    try (var versions = Files.list(Path.of("/usr/lib/postgresql"))) {
      return versions
          .map(v -> v.resolve("bin"))
          .sorted(java.util.Comparator.reverseOrder())
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }
}
