package dev.miosa.data.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.local.LocalPgBouncer;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.postgres.pooler.PgBouncer;
import dev.miosa.data.postgres.pooler.PgBouncerRegistry;
import dev.miosa.data.postgres.pooler.PoolerEntry;
import dev.miosa.data.postgres.pooler.Scram;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Tenant databases served through a real PgBouncer in front of a real PostgreSQL. */
class PgBouncerPoolingIT {

  static LocalPostgres pg;
  static LocalPgBouncer bouncer;
  static PgBouncerRegistry registry;
  static PostgresProvider provider;

  @BeforeAll
  static void start() {
    pg = TestServers.postgres();
    bouncer = TestServers.newPgBouncer(); // its own: its files follow this class's records only
    PostgresServer server = TestPostgresServers.of("pg-1", pg);
    registry = TestPostgresServers.registry(bouncer, TestServers.controlPlaneDatabase("pooler"));
    provider =
        new PostgresProvider(
            List.of(server), () -> dev.miosa.data.credentials.Passwords.alphanumeric(40), registry);
  }

  @AfterAll
  static void stop() {
    bouncer.stop();
  }

  static InMemoryResourceContext provisioned(Map<String, Object> config) {
    var res = InMemoryResourceContext.of("production", "pg-1", provider.validateConfig(config));
    res.attributes().putAll(provider.provision(res).attributes());
    return res;
  }

  /** Connects with what a libpq {@code postgresql://} URL says (the way DATABASE_URL is read). */
  static Connection connectUrl(String databaseUrl) throws SQLException {
    URI uri = URI.create(databaseUrl);
    String[] userInfo = uri.getRawUserInfo().split(":", 2);
    Properties props = new Properties();
    props.setProperty("user", URLDecoder.decode(userInfo[0], StandardCharsets.UTF_8));
    props.setProperty("password", URLDecoder.decode(userInfo[1], StandardCharsets.UTF_8));
    props.setProperty("sslmode", "disable");
    props.setProperty("prepareThreshold", "0");
    return DriverManager.getConnection(
        "jdbc:postgresql://" + uri.getHost() + ":" + uri.getPort() + uri.getPath(), props);
  }

  static int serverConnectionsOf(String role) throws SQLException {
    try (Connection c = pg.connect("postgres");
        PreparedStatement st =
            c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE usename = ?")) {
      st.setString(1, role);
      var rs = st.executeQuery();
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void databaseUrlGoesThroughThePoolerAndTheUnpooledUrlStaysDirect() throws Exception {
    var res = provisioned(Map.of());
    Map<String, String> vars = provider.variables(res);
    assertThat(vars.get("DATABASE_URL")).contains("@127.0.0.1:" + bouncer.port() + "/");
    assertThat(vars.get("DATABASE_URL_UNPOOLED")).contains("@127.0.0.1:" + pg.port() + "/");
    assertThat(vars.get("JDBC_DATABASE_URL"))
        .contains(":" + bouncer.port() + "/")
        .contains("prepareThreshold=0");
    assertThat(vars.get("PGPORT")).isEqualTo(Integer.toString(bouncer.port()));

    var session = provisioned(Map.of("poolMode", "session"));
    assertThat(provider.variables(session).get("JDBC_DATABASE_URL"))
        .doesNotContain("prepareThreshold");

    String databases = Files.readString(bouncer.configDir().resolve(PgBouncer.DATABASES_FILE));
    assertThat(databases)
        .contains(vars.get("PGDATABASE") + " = host=127.0.0.1 port=" + pg.port())
        .contains("pool_mode=transaction pool_size=10")
        .contains("pool_mode=session")
        .doesNotContain("user=")
        .doesNotContain("password=");
    var users = bouncer.configDir().resolve(PgBouncer.USERS_FILE);
    assertThat(Files.readString(users))
        .contains("\"" + vars.get("PGUSER") + "\" \"SCRAM-SHA-256$4096:")
        .doesNotContain(vars.get("PGPASSWORD"));
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(users)))
        .isEqualTo("rw-r-----");
  }

  @Test
  void twoHundredClientsShareAPoolOfTenServerConnectionsAndAllCommit() throws Exception {
    var res = provisioned(Map.of("poolSize", 10, "maxClientConnections", 250));
    Map<String, String> vars = provider.variables(res);
    String role = vars.get("PGUSER");
    try (Connection c = connectUrl(vars.get("DATABASE_URL"));
        var st = c.createStatement()) {
      st.execute("CREATE TABLE hits (client int PRIMARY KEY, at timestamptz DEFAULT now())");
    }
    int clients = 200;
    ExecutorService pool = Executors.newFixedThreadPool(clients);
    CountDownLatch allConnected = new CountDownLatch(clients);
    AtomicInteger maxServerConnections = new AtomicInteger();
    AtomicBoolean done = new AtomicBoolean();
    Thread sampler =
        new Thread(
            () -> {
              while (!done.get()) {
                try {
                  maxServerConnections.accumulateAndGet(serverConnectionsOf(role), Math::max);
                  Thread.sleep(5);
                } catch (Exception e) {
                  return;
                }
              }
            });
    sampler.start();
    List<Future<Integer>> results = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      int client = i;
      results.add(
          pool.submit(
              () -> {
                try (Connection c = connectUrl(vars.get("DATABASE_URL"))) {
                  allConnected.countDown();
                  assertThat(allConnected.await(60, TimeUnit.SECONDS))
                      .isTrue(); // 200 clients at once
                  c.setAutoCommit(false);
                  try (var st = c.createStatement()) {
                    st.execute("INSERT INTO hits (client) VALUES (" + client + ")");
                    st.execute("SELECT pg_sleep(0.005)");
                  }
                  c.commit();
                  return client;
                }
              }));
    }
    for (Future<Integer> f : results) {
      f.get(120, TimeUnit.SECONDS);
    }
    done.set(true);
    sampler.join();
    pool.shutdown();
    try (Connection c = connectUrl(vars.get("DATABASE_URL"));
        var st = c.createStatement()) {
      var rs = st.executeQuery("SELECT count(*) FROM hits");
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(clients);
    }
    assertThat(maxServerConnections.get()).isBetween(1, 10);
  }

  @Test
  void preparedStatementsWorkThroughJdbcDatabaseUrlWhileClientsShareServerConnections()
      throws Exception {
    var res = provisioned(Map.of("poolSize", 2));
    String jdbcUrl = provider.variables(res).get("JDBC_DATABASE_URL");
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        var st = c.createStatement()) {
      st.execute("CREATE TABLE items (id int PRIMARY KEY, name text)");
    }
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<?>> results = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int base = t * 1000;
      results.add(
          pool.submit(
              () -> {
                try (Connection c = DriverManager.getConnection(jdbcUrl);
                    PreparedStatement insert =
                        c.prepareStatement("INSERT INTO items (id, name) VALUES (?, ?)");
                    PreparedStatement select =
                        c.prepareStatement("SELECT name FROM items WHERE id = ?")) {
                  for (int i = 0; i < 30; i++) { // well past pgjdbc's default prepareThreshold of 5
                    insert.setInt(1, base + i);
                    insert.setString(2, "n" + i);
                    insert.executeUpdate();
                    select.setInt(1, base + i);
                    var rs = select.executeQuery();
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getString(1)).isEqualTo("n" + i);
                  }
                }
                return null;
              }));
    }
    for (Future<?> f : results) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    try (Connection c = DriverManager.getConnection(jdbcUrl);
        var st = c.createStatement()) {
      var rs = st.executeQuery("SELECT count(*) FROM items");
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(240);
    }
  }

  @Test
  void credentialsOfOneDatabaseCannotReachAnotherThroughThePooler() throws Exception {
    Map<String, String> a = provider.variables(provisioned(Map.of()));
    Map<String, String> b = provider.variables(provisioned(Map.of()));
    String aIntoB =
        a.get("DATABASE_URL")
            .replace("/" + a.get("PGDATABASE") + "?", "/" + b.get("PGDATABASE") + "?");
    assertThatThrownBy(() -> connectUrl(aIntoB).createStatement().executeQuery("SELECT 1"))
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("permission denied");
    String wrongPassword = a.get("DATABASE_URL").replace(a.get("PGPASSWORD"), "not-the-password");
    assertThatThrownBy(() -> connectUrl(wrongPassword).close()).isInstanceOf(SQLException.class);
    try (Connection c = connectUrl(a.get("DATABASE_URL"));
        var st = c.createStatement()) {
      var rs = st.executeQuery("SELECT session_user, current_database()");
      rs.next();
      assertThat(rs.getString(1)).isEqualTo(a.get("PGUSER"));
      assertThat(rs.getString(2)).isEqualTo(a.get("PGDATABASE"));
    }
  }

  @Test
  void afterAPgBouncerRestartEveryTenantConnectsAgain() throws Exception {
    List<Map<String, String>> tenants =
        List.of(
            provider.variables(provisioned(Map.of())), provider.variables(provisioned(Map.of())));
    bouncer.restart();
    for (var vars : tenants) {
      try (Connection c = connectUrl(vars.get("DATABASE_URL"))) {
        assertThat(c.isValid(5)).isTrue();
      }
    }

    // Files lost as well: PgBouncer comes back empty, the control plane's start rebuilds them.
    bouncer.stop();
    Files.delete(bouncer.configDir().resolve(PgBouncer.DATABASES_FILE));
    Files.delete(bouncer.configDir().resolve(PgBouncer.USERS_FILE));
    bouncer.restart();
    assertThatThrownBy(() -> connectUrl(tenants.get(0).get("DATABASE_URL")).close())
        .isInstanceOf(SQLException.class);
    assertThat(registry.sync()).isGreaterThanOrEqualTo(2);
    for (var vars : tenants) {
      try (Connection c = connectUrl(vars.get("DATABASE_URL"))) {
        assertThat(c.isValid(5)).isTrue();
      }
    }
  }

  @Test
  void provisionIsNotReadyWhileThePoolerIsDownAndSucceedsWhenItIsBack() throws Exception {
    bouncer.stop();
    var res = InMemoryResourceContext.of("production", "pg-1", provider.validateConfig(Map.of()));
    try {
      assertThatThrownBy(() -> provider.provision(res))
          .isInstanceOf(ProvisioningException.class)
          .hasMessageNotContaining(bouncer.adminPassword().reveal())
          .satisfies(e -> assertThat(((ProvisioningException) e).retryable()).isTrue())
          .extracting("code")
          .isEqualTo("POOLER_UNAVAILABLE");
    } finally {
      bouncer.restart();
    }
    res.attributes().putAll(provider.provision(res).attributes());
    try (Connection c = connectUrl(provider.variables(res).get("DATABASE_URL"))) {
      assertThat(c.isValid(5)).isTrue();
    }
  }

  @Test
  void deprovisionRemovesTheDatabaseFromThePoolerBeforeDroppingIt() throws Exception {
    var res = provisioned(Map.of("poolMode", "session"));
    Map<String, String> vars = provider.variables(res);
    String name = vars.get("PGDATABASE");
    try (Connection held = connectUrl(vars.get("DATABASE_URL"))) {
      held.createStatement().executeQuery("SELECT 1").close(); // holds a pooled server connection
      assertThat(serverConnectionsOf(name)).isPositive();
      provider.deprovision(res);
      assertThat(held.isValid(2)).isFalse();
    }
    assertThat(Files.readString(bouncer.configDir().resolve(PgBouncer.DATABASES_FILE)))
        .doesNotContain(name);
    assertThat(Files.readString(bouncer.configDir().resolve(PgBouncer.USERS_FILE)))
        .doesNotContain(name);
    assertThat(bouncer.admin("SHOW DATABASES")).noneMatch(row -> row.startsWith(name + "\t"));
    assertThatThrownBy(() -> connectUrl(vars.get("DATABASE_URL")).close())
        .isInstanceOf(SQLException.class);
    provider.deprovision(res); // already gone: no error
  }

  @Test
  void poolSettingsAreValidatedNamingTheField() {
    assertThatThrownBy(() -> provider.validateConfig(Map.of("poolMode", "statement")))
        .extracting("field")
        .isEqualTo("config.poolMode");
    assertThatThrownBy(() -> provider.validateConfig(Map.of("connectionLimit", 5, "poolSize", 6)))
        .extracting("field")
        .isEqualTo("config.poolSize");
    assertThatThrownBy(() -> provider.validateConfig(Map.of("poolSize", 0)))
        .extracting("field")
        .isEqualTo("config.poolSize");
    assertThatThrownBy(
            () -> provider.validateConfig(Map.of("poolSize", 10, "maxClientConnections", 5)))
        .extracting("field")
        .isEqualTo("config.maxClientConnections");
    assertThat(provider.validateConfig(Map.of()))
        .containsEntry("poolMode", "transaction")
        .containsEntry("poolSize", 10)
        .containsEntry("maxClientConnections", 100);
    assertThat(provider.validateConfig(Map.of("connectionLimit", 5))).containsEntry("poolSize", 2);
  }

  static long reloadsSoFar() throws Exception {
    return Files.readAllLines(bouncer.configDir().getParent().resolve("pgbouncer.log")).stream()
        .filter(l -> l.contains("RELOAD command issued"))
        .count();
  }

  @Test
  void concurrentRegistrationsAllReachTheFilesAndShareReloads() throws Exception {
    int n = 24;
    var verifier = Scram.verifier(dev.miosa.data.credentials.Secret.of("coalesced-password"));
    long reloadsBefore = reloadsSoFar();
    ExecutorService pool = Executors.newFixedThreadPool(12);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String db = "coal_" + i;
      done.add(
          pool.submit(
              () -> {
                go.await();
                registry.register(
                    "res_" + db,
                    new PoolerEntry(db, db, pg.host(), pg.port(), "transaction", 2, 10, verifier));
                return null;
              }));
    }
    go.countDown();
    for (Future<?> f : done) {
      f.get(60, TimeUnit.SECONDS);
    }
    pool.shutdown();
    long reloads = reloadsSoFar() - reloadsBefore;
    try {
      String databases = Files.readString(bouncer.configDir().resolve(PgBouncer.DATABASES_FILE));
      String users = Files.readString(bouncer.configDir().resolve(PgBouncer.USERS_FILE));
      List<String> served = bouncer.admin("SHOW DATABASES");
      for (int i = 0; i < n; i++) {
        String db = "coal_" + i;
        assertThat(databases).contains("\n" + db + " = host=");
        assertThat(users).contains("\"" + db + "\" ");
        assertThat(served).anyMatch(row -> row.startsWith(db + "\t"));
      }
      assertThat(reloads).as("one RELOAD serves the registrations waiting for it").isLessThan(n);
    } finally {
      for (int i = 0; i < n; i++) {
        registry.unregister("coal_" + i);
      }
    }
  }

  static long adminLoginsSoFar() throws Exception {
    return Files.readAllLines(bouncer.configDir().getParent().resolve("pgbouncer.log")).stream()
        .filter(l -> l.contains("login attempt: db=pgbouncer"))
        .count();
  }

  @Test
  void registrationsReuseOneAdminConsoleSession() throws Exception {
    registry.sync(); // a session exists (and a restart in another test may have ended the old)
    long before = adminLoginsSoFar();
    var verifier = Scram.verifier(dev.miosa.data.credentials.Secret.of("session-password"));
    try {
      for (int i = 0; i < 5; i++) {
        registry.register(
            "res_sess_" + i,
            new PoolerEntry(
                "sess_" + i, "sess_" + i, pg.host(), pg.port(), "transaction", 2, 10, verifier));
      }
      assertThat(bouncer.admin("SHOW DATABASES")).anyMatch(row -> row.startsWith("sess_4\t"));
      assertThat(adminLoginsSoFar() - before)
          .as("five RELOADs, no new admin console login")
          .isLessThanOrEqualTo(1); // the test's own SHOW DATABASES (psql) logs in once
    } finally {
      for (int i = 0; i < 5; i++) {
        registry.unregister("sess_" + i);
      }
    }
  }
}
