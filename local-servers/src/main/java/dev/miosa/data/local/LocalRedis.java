package dev.miosa.data.local;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.credentials.TokenHashes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Redis server run as a local process from the machine's own {@code redis-server} (Debian's
 * {@code redis-server} package, found on {@code PATH}, in {@code /usr/bin} or in {@code
 * MIOSA_REDIS_SERVER}). Used by the embedded default and by tests.
 *
 * <p>Layout under the base directory: {@code data/} (RDB/AOF files), {@code redis.conf} (rewritten
 * at each start, mode 0600), {@code redis.log}, {@code redis.pid}, {@code port} and {@code
 * admin-password} (mode 0600). The server listens on 127.0.0.1 only; the {@code default} user is
 * switched off, so every connection must authenticate, and the admin user {@value #ADMIN_USER}
 * holds every right ({@code ~* &* +@all}). Starting again on the same directory keeps the port and
 * password; if its server is still running (the JVM that started it was killed), that server is
 * reused.
 *
 * <p>Persistence follows the settings given: by default an append-only file only ({@code appendonly
 * yes}, {@code save ""}); tests pass {@code appendonly no} to get a server that restarts empty.
 * Redis configuration reference:
 * https://redis.io/docs/latest/operate/oss_and_stack/management/config/
 */
public final class LocalRedis extends LocalServer {

  private static final Logger log = LoggerFactory.getLogger(LocalRedis.class);

  /** The admin user written into the configuration. */
  public static final String ADMIN_USER = "miosa-admin";

  private final Path binary;
  private final Map<String, String> settings;
  private final Secret password;

  /** The pid of the server this instance launched or attached to, in case its pid file is gone. */
  private volatile long pid = -1;

  private LocalRedis(
      Path base, Path binary, Map<String, String> settings, int port, Secret password) {
    super(base, port);
    this.binary = binary;
    this.settings = settings;
    this.password = password;
  }

  /**
   * Starts a server under {@code base}, or attaches to the one already running there.
   *
   * @param base the server's directory (created if missing)
   * @param settings extra {@code redis.conf} directives, name to value as written in the file
   *     ({@code "save" -> "\"\""}, {@code "appendonly" -> "no"}); they override the defaults
   * @return the running server
   * @throws IOException when no {@code redis-server} is found (the message says what to install) or
   *     the server does not answer within 30 seconds
   */
  public static LocalRedis start(Path base, Map<String, String> settings) throws IOException {
    base = base.toAbsolutePath();
    Path binary = findBinary();
    Files.createDirectories(base.resolve("data"));
    Secret password = storedPassword(base.resolve("admin-password"));
    Path portFile = base.resolve("port");
    Optional<Long> running = runningPid(base);
    if (running.isPresent() && Files.exists(portFile)) {
      int port = Integer.parseInt(Files.readString(portFile).trim());
      LocalRedis redis = new LocalRedis(base, binary, Map.copyOf(settings), port, password);
      if (redis.ping()) {
        redis.pid = running.get();
        log.info("Redis under {} is already running on port {}; reusing it", base, port);
        return redis;
      }
    }
    int port = LocalProcesses.choosePort(portFile);
    LocalRedis redis = new LocalRedis(base, binary, Map.copyOf(settings), port, password);
    redis.launch();
    return redis;
  }

  /**
   * Finds {@code redis-server}: {@code MIOSA_REDIS_SERVER}, then {@code PATH}, {@code /usr/bin} and
   * {@code /usr/sbin}.
   *
   * @return the executable
   * @throws IOException naming what to install when none is found
   */
  public static Path findBinary() throws IOException {
    String env = System.getenv("MIOSA_REDIS_SERVER");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (Files.isExecutable(p)) {
        return p;
      }
      throw new IOException("MIOSA_REDIS_SERVER points to " + p + ", which is not an executable");
    }
    return LocalProcesses.findExecutable("redis-server", List.of(Path.of("/usr/bin")))
        .orElseThrow(
            () ->
                new IOException(
                    "no redis-server found: install it (Debian: apt-get install redis-server)"
                        + " or set MIOSA_REDIS_SERVER to its path"));
  }

  /** Whether a {@code redis-server} binary can be found on this machine. */
  public static boolean isAvailable() {
    try {
      findBinary();
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void launch() throws IOException {
    Path conf = base.resolve("redis.conf");
    Map<String, String> directives = new LinkedHashMap<>();
    directives.put("bind", "127.0.0.1");
    directives.put("port", Integer.toString(port));
    directives.put("protected-mode", "yes");
    directives.put("daemonize", "no");
    directives.put("dir", quote(base.resolve("data").toString()));
    directives.put("pidfile", quote(base.resolve("redis.pid").toString()));
    directives.put("logfile", quote(base.resolve("redis.log").toString()));
    // Durable through the append-only file alone (fsync every second); no RDB snapshots, so a
    // shutdown only flushes the AOF and never stalls on a snapshot.
    directives.put("appendonly", "yes");
    directives.put("save", "\"\"");
    directives.putAll(settings);
    StringBuilder text = new StringBuilder("# written by MIOSA at each start\n");
    directives.forEach((k, v) -> text.append(k).append(' ').append(v).append('\n'));
    // No passwordless access: the default user is off; the admin user is stored as a SHA-256
    // hash (ACL rule #<hex>), so the file never holds the password itself.
    text.append("user default off resetpass -@all\n");
    text.append("user ")
        .append(ADMIN_USER)
        .append(" on #")
        .append(TokenHashes.sha256Hex(password.reveal()))
        .append(" ~* &* +@all\n");
    LocalProcesses.writePrivate(conf, text.toString());
    Files.deleteIfExists(base.resolve("redis.pid"));

    Process process =
        new ProcessBuilder(binary.toString(), conf.toString())
            .redirectErrorStream(true)
            .redirectOutput(
                ProcessBuilder.Redirect.appendTo(base.resolve("redis-stdout.log").toFile()))
            .start();
    try {
      awaitReady(
          "redis-server",
          Duration.ofSeconds(30),
          Duration.ofMillis(50),
          () -> {
            if (!process.isAlive()) {
              throw new StartFailed(
                  "redis-server exited "
                      + process.exitValue()
                      + " at start; its log: "
                      + logTail());
            }
            if (!ping()) {
              throw new IOException("no PONG as " + ADMIN_USER);
            }
          });
    } catch (StartFailed e) {
      throw e;
    } catch (IOException e) {
      process.destroyForcibly();
      throw new IOException(
          "redis-server on port " + port + " did not answer within 30 s; its log: " + logTail(), e);
    }
    pid = process.pid();
    log.info("Redis {} started under {} on 127.0.0.1:{}", binary, base, port);
  }

  /** The admin user's name. */
  public String adminUser() {
    return ADMIN_USER;
  }

  /** The admin user's password. */
  public Secret adminPassword() {
    return password;
  }

  /**
   * The admin URL {@code redis://miosa-admin:<password>@127.0.0.1:<port>/0} (the password is
   * alphanumeric, so nothing needs percent-encoding). It holds the password: never log it.
   */
  public Secret adminUrl() {
    return Secret.of(
        "redis://" + ADMIN_USER + ":" + password.reveal() + "@" + host() + ":" + port + "/0");
  }

  /**
   * Whether the server answers {@code AUTH} and {@code PING} as the admin user now (a raw RESP
   * exchange with a 2-second timeout).
   */
  public boolean ping() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host(), port), 2000);
      s.setSoTimeout(2000);
      OutputStream out = s.getOutputStream();
      out.write(resp("AUTH", ADMIN_USER, password.reveal()));
      out.write(resp("PING"));
      out.flush();
      InputStream in = s.getInputStream();
      return "+OK".equals(readLine(in)) && "+PONG".equals(readLine(in));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Stops the server (SIGTERM; after 10 seconds SIGKILL). With persistence on, Redis writes its
   * data first; with {@code save ""} and {@code appendonly no} the data is gone.
   */
  @Override
  public void stop() {
    Optional<Long> running =
        runningPid(base)
            .or(() -> ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> pid));
    if (running.isEmpty()) {
      return;
    }
    ProcessHandle.of(running.get())
        .ifPresent(
            h -> {
              h.destroy();
              try {
                h.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
              } catch (Exception e) {
                h.destroyForcibly();
                h.onExit().join();
              }
            });
    log.info("Redis under {} stopped", base);
  }

  /**
   * Stops the server and starts it again on the same port with the same admin password (used to
   * show what tenants see when Redis restarts).
   *
   * @throws IOException when it does not come back
   */
  public void restart() throws IOException {
    stop();
    awaitCondition(Duration.ofSeconds(10), () -> LocalProcesses.isFree(port));
    launch();
  }

  private static Optional<Long> runningPid(Path base) {
    Path pidFile = base.resolve("redis.pid");
    try {
      if (!Files.exists(pidFile)) {
        return Optional.empty();
      }
      long pid = Long.parseLong(Files.readString(pidFile).trim());
      return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).map(h -> pid);
    } catch (IOException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  private String logTail() {
    try {
      Path logFile = base.resolve("redis.log");
      String text = Files.exists(logFile) ? Files.readString(logFile) : "";
      Path stdout = base.resolve("redis-stdout.log");
      if (Files.exists(stdout)) {
        text += Files.readString(stdout);
      }
      return LocalProcesses.tail(text, 1500);
    } catch (IOException e) {
      return "(unreadable)";
    }
  }

  /**
   * Sends {@code AUTH user password} with the credentials of a {@code
   * redis://user:password@host:port} URL (percent-encoded, as in {@code REDIS_URL}) and returns the
   * server's first reply line, e.g. {@code +OK} or {@code -WRONGPASS ...}. A raw exchange, so no
   * client library's handshake can hide the server's answer.
   *
   * @param redisUrl the URL
   * @return the reply line
   * @throws IOException when the server cannot be reached
   */
  public static String authReply(String redisUrl) throws IOException {
    java.net.URI uri = java.net.URI.create(redisUrl);
    String info = uri.getRawUserInfo();
    int colon = info.indexOf(':');
    String user =
        java.net.URLDecoder.decode(
            info.substring(0, colon).replace("+", "%2B"), StandardCharsets.UTF_8);
    String password =
        java.net.URLDecoder.decode(
            info.substring(colon + 1).replace("+", "%2B"), StandardCharsets.UTF_8);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 5_000);
      s.setSoTimeout(10_000);
      s.getOutputStream().write(resp("AUTH", user, password));
      s.getOutputStream().flush();
      return readLine(s.getInputStream());
    }
  }

  private static String quote(String path) {
    return "\"" + path.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static byte[] resp(String... args) {
    StringBuilder sb = new StringBuilder("*").append(args.length).append("\r\n");
    for (String a : args) {
      byte[] b = a.getBytes(StandardCharsets.UTF_8);
      sb.append('$').append(b.length).append("\r\n").append(a).append("\r\n");
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        line.write(c);
      }
    }
    return line.toString(StandardCharsets.UTF_8);
  }
}
