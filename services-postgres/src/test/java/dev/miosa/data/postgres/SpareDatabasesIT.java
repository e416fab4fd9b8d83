package dev.miosa.data.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Spare databases on a PostgreSQL server of this class's own (the shared test server has the spares
 * of every other test's provider): made closed to {@code PUBLIC}, claimed by an attach in one
 * transaction with its owner and isolation, refilled, never handed out twice, never reachable by a
 * tenant, and cleaned up after a crash or a smaller setting.
 */
class SpareDatabasesIT {

  static Path dir;
  static LocalPostgres pg;
  static PostgresServer server;
  final List<PostgresProvider> providers = new ArrayList<>();

  @BeforeAll
  static void start() throws Exception {
    dir = Files.createTempDirectory("miosa-spares-pg");
    pg = LocalPostgres.start(dir, Map.of("fsync", "off", "synchronous_commit", "off"));
    server = TestPostgresServers.of("pg-spares", pg);
  }

  @AfterAll
  static void stop() {
    pg.close();
    TestServers.deleteQuietly(dir);
  }

  @BeforeEach
  void noSparesYet() {
    // Drops what an earlier test left, once that test's background refill has ended (-1 while
    // one holds the lock).
    PostgresProvider cleaner = provider(0);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> cleaner.spares().refillNow().get("pg-spares") == 0);
  }

  @AfterEach
  void closeProviders() {
    providers.forEach(PostgresProvider::close);
  }

  PostgresProvider provider(int spares) {
    PostgresProvider p =
        new PostgresProvider(List.of(server), () -> Passwords.alphanumeric(40), null, spares);
    providers.add(p);
    return p;
  }

  static InMemoryResourceContext newResource(PostgresProvider provider) {
    return InMemoryResourceContext.of("production", "pg-spares", provider.validateConfig(Map.of()));
  }

  static Connection admin() throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/postgres",
        LocalPostgres.SUPERUSER,
        pg.superuserPassword().reveal());
  }

  /** The finished spares on the server: name to oid. */
  static Map<String, Long> spares() throws SQLException {
    try (Connection c = admin();
        var rs =
            c.createStatement()
                .executeQuery(
                    "SELECT datname, oid FROM pg_database WHERE datname LIKE 'miosa\\_spare\\_%'"
                        + " AND shobj_description(oid, 'pg_database') = '"
                        + SpareDatabases.SPARE_MARK
                        + "'")) {
      Map<String, Long> out = new java.util.TreeMap<>();
      while (rs.next()) {
        out.put(rs.getString(1), rs.getLong(2));
      }
      return out;
    }
  }

  static String one(String sql) throws SQLException {
    try (Connection c = admin();
        var rs = c.createStatement().executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  static InMemoryResourceContext provisioned(PostgresProvider provider) {
    var res = newResource(provider);
    res.attributes().putAll(provider.provision(res).attributes());
    return res;
  }

  @Test
  void aRefillMakesSparesThatNoOneCanEnterAndAnAttachTakesOneWithItsOwnerAndIsolation()
      throws Exception {
    PostgresProvider provider = provider(2);
    assertThat(provider.spares().refillNow()).containsEntry("pg-spares", 2);
    Map<String, Long> before = spares();
    assertThat(before).hasSize(2);
    for (String spare : before.keySet()) {
      assertThat(
              one(
                  "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '"
                      + spare
                      + "'"))
          .isEqualTo(LocalPostgres.SUPERUSER);
      assertThat(publicMayConnect(spare)).isFalse();
    }

    var res = provisioned(provider);
    String database = provider.variables(res).get("PGDATABASE");
    long oid =
        Long.parseLong(one("SELECT oid FROM pg_database WHERE datname = '" + database + "'"));
    assertThat(before).containsValue(oid); // a spare, renamed: no CREATE DATABASE
    assertThat(provider.spares().claimed()).isEqualTo(1);
    assertThat(one("SELECT pg_get_userbyid(datdba) FROM pg_database WHERE oid = " + oid))
        .isEqualTo(TenantNames.of(res.resourceId()).owner());
    assertThat(one("SELECT shobj_description(" + oid + ", 'pg_database')")).isNull();
    assertThat(publicMayConnect(database)).isFalse();

    // The tenant owns what it makes in its database, through the owner role.
    try (Connection c =
            DriverManager.getConnection(provider.variables(res).get("JDBC_DATABASE_URL"));
        var st = c.createStatement()) {
      st.execute("CREATE TABLE items (id int)");
      var rs =
          st.executeQuery("SELECT pg_get_userbyid(relowner) FROM pg_class WHERE relname = 'items'");
      rs.next();
      assertThat(rs.getString(1)).isEqualTo(TenantNames.of(res.resourceId()).owner());
    }
    // The claim started a refill: the server holds two spares again, neither the claimed one.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(spares()).hasSize(2).doesNotContainValue(oid));
  }

  @Test
  void aTenantCannotEnterASpareNorAnotherTenantsDatabase() throws Exception {
    PostgresProvider provider = provider(3);
    provider.spares().refillNow();
    var a = provisioned(provider);
    var b = provisioned(provider);
    Map<String, String> vars = provider.variables(a);
    String spare = spares().keySet().iterator().next();
    for (String target : List.of(spare, provider.variables(b).get("PGDATABASE"))) {
      assertThatThrownBy(
              () ->
                  DriverManager.getConnection(
                          "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + target,
                          vars.get("PGUSER"),
                          vars.get("PGPASSWORD"))
                      .close())
          .isInstanceOf(SQLException.class)
          .hasMessageContaining("permission denied for database");
    }
  }

  @Test
  void concurrentAttachesNeverShareADatabaseWhetherTheyFindASpareOrNot() throws Exception {
    PostgresProvider provider = provider(2);
    provider.spares().refillNow();
    var pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<InMemoryResourceContext>> futures = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        Callable<InMemoryResourceContext> attach = () -> provisioned(provider);
        futures.add(pool.submit(attach));
      }
      var oids = new HashSet<String>();
      for (var f : futures) {
        var res = f.get();
        String database = provider.variables(res).get("PGDATABASE");
        oids.add(one("SELECT oid FROM pg_database WHERE datname = '" + database + "'"));
        assertThat(
                one(
                    "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '"
                        + database
                        + "'"))
            .isEqualTo(TenantNames.of(res.resourceId()).owner());
        try (Connection c =
            DriverManager.getConnection(provider.variables(res).get("JDBC_DATABASE_URL"))) {
          assertThat(c.isValid(5)).isTrue();
        }
      }
      assertThat(oids).hasSize(6);
      var stats = provider.spares();
      assertThat(stats.claimed() + stats.missed()).isEqualTo(6);
      assertThat(stats.claimed()).isGreaterThanOrEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void aSpareSomeoneIsConnectedToIsPassedOver() throws Exception {
    PostgresProvider provider = provider(1);
    provider.spares().refillNow();
    String spare = spares().keySet().iterator().next();
    try (Connection inside =
        DriverManager.getConnection(
            "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + spare,
            LocalPostgres.SUPERUSER,
            pg.superuserPassword().reveal())) {
      var res = provisioned(provider);
      assertThat(provider.variables(res).get("PGDATABASE")).isNotEqualTo(spare);
      assertThat(provider.spares().missed()).isEqualTo(1);
      assertThat(inside.isValid(5)).isTrue();
      assertThat(spares()).containsKey(spare);
    }
  }

  @Test
  void aRefillDropsWhatACrashOrAnOlderTemplateLeftAndZeroDropsEverySpare() throws Exception {
    PostgresProvider provider = provider(2);
    provider.spares().refillNow();
    try (Connection c = admin();
        var st = c.createStatement()) {
      st.execute("CREATE DATABASE " + SpareDatabases.MAKING_PREFIX + "0123456789abcdef0123");
      st.execute("CREATE DATABASE " + SpareDatabases.SPARE_PREFIX + "fedcba9876543210fedc");
      st.execute(
          "COMMENT ON DATABASE "
              + SpareDatabases.SPARE_PREFIX
              + "fedcba9876543210fedc IS 'miosa spare database of an older template'");
      // An operator's database with a similar name is not ours: left alone, never claimed.
      st.execute("CREATE DATABASE \"miosa_spare_copy; DROP DATABASE postgres\"");
      st.execute("CREATE DATABASE \"miosa_making_copy; DROP DATABASE postgres\"");
    }
    assertThat(provider.spares().refillNow()).containsEntry("pg-spares", 2);
    assertThat(
            one(
                "SELECT string_agg(datname, ',') FROM pg_database WHERE datname IN ("
                    + "'miosa_making_0123456789abcdef0123', 'miosa_spare_fedcba9876543210fedc')"))
        .isNull();
    assertThat(
            one(
                "SELECT string_agg(datname, ',' ORDER BY datname) FROM pg_database"
                    + " WHERE datname LIKE 'miosa\\_%\\_copy%'"))
        .isEqualTo(
            "miosa_making_copy; DROP DATABASE postgres,miosa_spare_copy; DROP DATABASE postgres");
    try (Connection c = admin();
        var st = c.createStatement()) {
      st.execute("DROP DATABASE \"miosa_spare_copy; DROP DATABASE postgres\"");
      st.execute("DROP DATABASE \"miosa_making_copy; DROP DATABASE postgres\"");
    }
    assertThat(spares()).hasSize(2);

    assertThat(provider(0).spares().refillNow()).containsEntry("pg-spares", 0);
    assertThat(one("SELECT count(*) FROM pg_database WHERE datname LIKE 'miosa\\_spare\\_%'"))
        .isEqualTo("0");
    // Without spares an attach creates its database.
    PostgresProvider none = provider(0);
    var res = provisioned(none);
    assertThat(none.variables(res).get("PGDATABASE")).startsWith("t_");
    assertThat(none.spares().claimed()).isZero();
  }

  @Test
  void aRefillNeverClonesATemplateLeftUnfinishedItMakesItAgainFirst() throws Exception {
    PostgresProvider provider = provider(1);
    provider.spares().refillNow(); // this provider has decided on the template now
    try (Connection c = admin();
        var st = c.createStatement()) {
      st.execute("DROP DATABASE " + spares().keySet().iterator().next() + " WITH (FORCE)");
      st.execute("ALTER DATABASE miosa_template WITH IS_TEMPLATE false ALLOW_CONNECTIONS true");
      st.execute("DROP DATABASE miosa_template WITH (FORCE)");
      st.execute("CREATE DATABASE miosa_template"); // as a crash half-way would leave it
    }
    try (Connection t =
            DriverManager.getConnection(
                "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/miosa_template",
                LocalPostgres.SUPERUSER,
                pg.superuserPassword().reveal());
        var st = t.createStatement()) {
      st.execute("CREATE TABLE stray (v int)");
    }

    assertThat(provider.spares().refillNow()).containsEntry("pg-spares", 1);
    String spare = spares().keySet().iterator().next();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + spare,
                LocalPostgres.SUPERUSER,
                pg.superuserPassword().reveal());
        var st = c.createStatement();
        var rs = st.executeQuery("SELECT to_regclass('public.stray') IS NULL")) {
      rs.next();
      assertThat(rs.getBoolean(1)).as("cloned from a template made afresh").isTrue();
    }
    assertThat(
            one(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
                    + " WHERE datname = 'miosa_template' AND datistemplate AND NOT datallowconn"))
        .isEqualTo(TenantTemplates.TEMPLATE_MARK);
  }

  @Test
  void aDatabaseBeingMadeAdmitsNoTenantBeforeItIsClosedToPublic() throws Exception {
    PostgresProvider none = provider(0);
    Map<String, String> tenant = none.variables(provisioned(none)); // an existing tenant
    var attempts = new java.util.concurrent.CopyOnWriteArrayList<String>();
    java.util.function.Consumer<String> tryToEnter =
        database -> {
          try (Connection c =
              DriverManager.getConnection(
                  "jdbc:postgresql://" + pg.host() + ":" + pg.port() + "/" + database,
                  tenant.get("PGUSER"),
                  tenant.get("PGPASSWORD"))) {
            attempts.add(database + ": entered");
          } catch (SQLException e) {
            attempts.add(database + ": " + e.getSQLState());
          }
        };
    // A spare between its CREATE DATABASE and its REVOKE from PUBLIC.
    PostgresProvider provider = provider(1);
    provider.ddl().spares().afterCreate = tryToEnter;
    provider.spares().refillNow();
    // Another tenant's database between its CREATE DATABASE and its isolation (no spare free).
    none.ddl().afterCreateDatabase = tryToEnter;
    provisioned(none);

    assertThat(attempts).hasSize(2);
    // 55000 object_not_in_prerequisite_state: "database ... is not currently accepting connections"
    assertThat(attempts).allMatch(a -> a.endsWith(": 55000"), "refused before any privilege check");
  }

  private static boolean publicMayConnect(String database) throws SQLException {
    return "t"
        .equals(one("SELECT has_database_privilege('public', '" + database + "', 'CONNECT')"));
  }
}
