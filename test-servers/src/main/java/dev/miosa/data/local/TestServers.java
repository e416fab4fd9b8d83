package dev.miosa.data.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Servers shared by the tests of one JVM (the test harness: this module is a test-scope dependency
 * only and never ships in the application jar): started on first use in a temporary directory,
 * stopped and deleted when the JVM exits. Tests isolate themselves by creating their own databases,
 * roles and projects, never by assuming an empty server.
 */
public final class TestServers {

  /**
   * Settings of test Redis servers: no persistence, so a restart comes back empty; {@code DEBUG}
   * and {@code MODULE} enabled, so that tests show the ACL (not these switches) refusing them.
   */
  public static final Map<String, String> REDIS_EPHEMERAL =
      Map.of(
          "save", "\"\"",
          "appendonly", "no",
          "enable-debug-command", "yes",
          "enable-module-command", "yes");

  private static LocalPostgres postgres;
  private static LocalPgBouncer pgbouncer;
  private static LocalRedis redis;
  private static LocalS3Proxy s3proxy;

  private TestServers() {}

  /**
   * A PostgreSQL cluster for tests (fsync off: test data need not survive a power cut).
   *
   * @return the running cluster
   */
  public static synchronized LocalPostgres postgres() {
    if (postgres == null) {
      postgres =
          startInTempDir(
              "miosa-test-pg",
              dir ->
                  LocalPostgres.start(
                      dir,
                      Map.of(
                          "fsync",
                          "off",
                          "synchronous_commit",
                          "off",
                          "full_page_writes",
                          "off",
                          "max_connections",
                          "400")));
    }
    return postgres;
  }

  /**
   * A PgBouncer for tests, shared by the JVM. Its generated files are rewritten by whichever
   * control plane registers databases with it, so tests that each keep their own control-plane
   * records should start their own with {@link #newPgBouncer()} instead.
   *
   * @return the running PgBouncer
   */
  public static synchronized LocalPgBouncer pgbouncer() {
    if (pgbouncer == null) {
      pgbouncer = newPgBouncer();
    }
    return pgbouncer;
  }

  /**
   * Starts a new PgBouncer in a temporary directory, stopped and deleted when the JVM exits.
   *
   * @return the running PgBouncer
   */
  public static LocalPgBouncer newPgBouncer() {
    return startInTempDir("miosa-test-pgbouncer", dir -> LocalPgBouncer.start(dir, Map.of()));
  }

  /**
   * An S3Proxy object store for tests (filesystem backend in a temporary directory).
   *
   * @return the running store
   */
  public static synchronized LocalS3Proxy s3proxy() {
    if (s3proxy == null) {
      s3proxy = startInTempDir("miosa-test-s3", LocalS3Proxy::start);
    }
    return s3proxy;
  }

  /**
   * A Redis server shared by the tests of this JVM (no persistence). Tests that restart or stop
   * Redis take their own from {@link #newRedis()}.
   *
   * @return the running server
   */
  public static synchronized LocalRedis redis() {
    if (redis == null) {
      redis = newRedis();
    }
    return redis;
  }

  /**
   * A new Redis server of its own (no persistence) in a temporary directory, stopped and deleted
   * when the JVM exits.
   *
   * @return the running server
   * @throws UncheckedIOException when {@code redis-server} is missing (the message says what to
   *     install) or does not start
   */
  public static LocalRedis newRedis() {
    return startInTempDir("miosa-test-redis", dir -> LocalRedis.start(dir, REDIS_EPHEMERAL));
  }

  /** Starts a server in a new temporary directory, stopped and deleted when the JVM exits. */
  private static <T extends AutoCloseable> T startInTempDir(String prefix, Starter<T> starter) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      T server = starter.start(dir);
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    try {
                      server.close();
                    } catch (Exception ignored) {
                      // best effort at exit
                    }
                    deleteQuietly(dir);
                  }));
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @FunctionalInterface
  private interface Starter<T> {
    T start(Path dir) throws IOException;
  }

  /**
   * The migration folder each module owns, module directory to classpath folder under {@code
   * db/migration/}; the api lists the same folders in {@code spring.flyway.locations}.
   */
  public static final java.util.Map<String, String> MIGRATION_FOLDERS =
      java.util.Map.of(
          "api", "api",
          "services-postgres", "postgres",
          "services-auth", "auth",
          "services-volumes", "volumes");

  /**
   * Flyway locations ({@code filesystem:...}) of every module's migration folder in the source
   * tree, found by walking up from the working directory to the directory holding {@code api/}.
   *
   * @return one location per module
   * @throws IllegalStateException when the source tree is not found
   */
  public static java.util.List<String> migrationLocations() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isDirectory(dir.resolve("api/src/main/resources/db/migration"))) {
        Path root = dir;
        return MIGRATION_FOLDERS.entrySet().stream()
            .sorted(java.util.Map.Entry.comparingByKey())
            .map(
                e ->
                    "filesystem:"
                        + root.resolve(
                            e.getKey() + "/src/main/resources/db/migration/" + e.getValue()))
            .toList();
      }
    }
    throw new IllegalStateException(
        "api/src/main/resources/db/migration not found above " + Path.of("").toAbsolutePath());
  }

  /**
   * A new database on the test PostgreSQL with the control-plane schema migrated by Flyway from the
   * modules' migration folders ({@link #migrationLocations()}).
   *
   * @param prefix a lowercase name prefix
   * @return a data source for the superuser on that database
   */
  public static javax.sql.DataSource controlPlaneDatabase(String prefix) {
    LocalPostgres pg = postgres();
    String name = prefix + "_" + Long.toString(System.nanoTime(), 36);
    try {
      pg.createDatabaseIfAbsent(name);
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    var ds = new org.postgresql.ds.PGSimpleDataSource();
    ds.setUrl(pg.jdbcUrl(name));
    ds.setUser(LocalPostgres.SUPERUSER);
    ds.setPassword(pg.superuserPassword().reveal());
    org.flywaydb.core.Flyway.configure()
        .dataSource(ds)
        .locations(migrationLocations().toArray(String[]::new))
        .load()
        .migrate();
    return ds;
  }

  /**
   * Makes a database of the test PostgreSQL unavailable as a restart would, or available again:
   * with {@code false} its open connections are ended and new ones refused.
   *
   * @param database the database
   * @param available whether connections are accepted
   */
  public static void setDatabaseAvailable(String database, boolean available) {
    LocalPostgres pg = postgres();
    try (java.sql.Connection c = pg.connect("postgres");
        java.sql.Statement st = c.createStatement()) {
      st.execute("ALTER DATABASE \"" + database + "\" WITH ALLOW_CONNECTIONS " + available);
      if (!available) {
        st.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '"
                + database.replace("'", "''")
                + "'");
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Deletes a directory tree, ignoring errors.
   *
   * @param dir the directory
   */
  public static void deleteQuietly(Path dir) {
    LocalProcesses.deleteQuietly(dir);
  }
}
