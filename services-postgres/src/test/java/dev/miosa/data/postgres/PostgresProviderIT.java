package dev.miosa.data.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Postgres provider against a real local PostgreSQL server. */
class PostgresProviderIT {

  static LocalPostgres pg;
  static PostgresServer server;
  static PostgresProvider provider;

  @BeforeAll
  static void start() {
    pg = TestServers.postgres();
    server = TestPostgresServers.of("pg-1", pg);
    // Without spare databases: these tests watch the template and CREATE DATABASE path, and a
    // background refill would clone the template while a test breaks it (SpareDatabasesIT covers
    // the spares, on a server of its own).
    provider = withoutSpares();
  }

  static PostgresProvider withoutSpares() {
    return new PostgresProvider(
        List.of(server), () -> dev.miosa.data.credentials.Passwords.alphanumeric(40), null, 0);
  }

  static InMemoryResourceContext newResource(String env) {
    return InMemoryResourceContext.of(env, "pg-1", provider.validateConfig(Map.of()));
  }

  static Connection connectWith(Map<String, String> vars, String database) throws SQLException {
    return DriverManager.getConnection(
        "jdbc:postgresql://" + vars.get("PGHOST") + ":" + vars.get("PGPORT") + "/" + database,
        vars.get("PGUSER"),
        vars.get("PGPASSWORD"));
  }

  @Test
  void provisionCreatesADatabaseTheTenantCanMigrate() throws Exception {
    var res = newResource("production");
    ProvisionResult result = provider.provision(res);
    res.attributes().putAll(result.attributes());
    assertThat(result.action()).isEqualTo(ProvisionResult.Action.CREATED);

    Map<String, String> vars = provider.variables(res);
    assertThat(vars.get("DATABASE_URL")).startsWith("postgresql://").contains("sslmode=disable");
    assertThat(vars.get("PGPASSWORD")).hasSizeGreaterThanOrEqualTo(32);
    assertThat(vars.get("PGDATABASE").getBytes()).hasSizeLessThanOrEqualTo(63);
    try (Connection c = DriverManager.getConnection(vars.get("JDBC_DATABASE_URL"));
        var st = c.createStatement()) {
      st.execute("CREATE TABLE items (id bigserial PRIMARY KEY, name text)");
      st.execute("CREATE SEQUENCE counter");
      st.execute("CREATE INDEX items_name ON items (name)");
      st.execute("INSERT INTO items (name) VALUES ('a'), ('b')");
      var rs = st.executeQuery("SELECT count(*) FROM items");
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(2);
    }
  }

  @Test
  void tenantCannotReachOtherDatabasesNorCreateRolesOrDatabases() throws Exception {
    var prod = newResource("production");
    var staging = newResource("staging");
    prod.attributes().putAll(provider.provision(prod).attributes());
    staging.attributes().putAll(provider.provision(staging).attributes());
    Map<String, String> prodVars = provider.variables(prod);
    Map<String, String> stagingVars = provider.variables(staging);
    assertThat(prodVars.get("PGDATABASE")).isNotEqualTo(stagingVars.get("PGDATABASE"));

    assertThatThrownBy(() -> connectWith(prodVars, stagingVars.get("PGDATABASE")).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("permission denied");
    assertThatThrownBy(() -> connectWith(prodVars, "postgres").close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("permission denied");
    try (Connection c = connectWith(prodVars, prodVars.get("PGDATABASE"));
        var st = c.createStatement()) {
      assertThatThrownBy(() -> st.execute("CREATE ROLE intruder")).isInstanceOf(SQLException.class);
      assertThatThrownBy(() -> st.execute("CREATE DATABASE intruder"))
          .isInstanceOf(SQLException.class);
    }
  }

  @Test
  void provisionAgainKeepsThePasswordAndData() throws Exception {
    var res = newResource("production");
    res.attributes().putAll(provider.provision(res).attributes());
    Map<String, String> before = provider.variables(res);
    try (Connection c = DriverManager.getConnection(before.get("JDBC_DATABASE_URL"));
        var st = c.createStatement()) {
      st.execute("CREATE TABLE kept (v int)");
      st.execute("INSERT INTO kept VALUES (7)");
    }
    ProvisionResult again = provider.provision(res);
    assertThat(again.action()).isEqualTo(ProvisionResult.Action.UPDATED);
    assertThat(provider.variables(res)).isEqualTo(before);
    try (Connection c = DriverManager.getConnection(before.get("JDBC_DATABASE_URL"));
        var st = c.createStatement()) {
      var rs = st.executeQuery("SELECT v FROM kept");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(7);
    }
  }

  @Test
  void deprovisionDropsEvenWithAClientConnectedAndAgainIsANoOp() throws Exception {
    var res = newResource("production");
    res.attributes().putAll(provider.provision(res).attributes());
    Map<String, String> vars = provider.variables(res);
    String name = vars.get("PGDATABASE");
    try (Connection held = DriverManager.getConnection(vars.get("JDBC_DATABASE_URL"))) {
      provider.deprovision(res);
      assertThat(held.isValid(2)).isFalse();
    }
    try (Connection admin = pg.connect("postgres");
        var st = admin.createStatement()) {
      assertThat(st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + name + "'").next())
          .isFalse();
      assertThat(st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + name + "'").next())
          .isFalse();
    }
    provider.deprovision(res); // already gone: no error
  }

  @Test
  void passwordWithUrlSpecialCharactersStillConnectsThroughBothUrls() throws Exception {
    PostgresProvider special =
        new PostgresProvider(
            List.of(server),
            () -> Secret.of("p@ss/w:rd%?#+ &x='\"\\" + "0123456789abcdefghijklmnopqrstuv"),
            null,
            0);
    var res = InMemoryResourceContext.of("production", "pg-1", special.validateConfig(Map.of()));
    res.attributes().putAll(special.provision(res).attributes());
    Map<String, String> vars = special.variables(res);
    try (Connection c = DriverManager.getConnection(vars.get("JDBC_DATABASE_URL"))) {
      assertThat(c.isValid(2)).isTrue();
    }
    // libpq: psql parses DATABASE_URL itself.
    Process psql =
        new ProcessBuilder(
                pg.binDir().resolve("psql").toString(),
                vars.get("DATABASE_URL"),
                "-tAc",
                "SELECT session_user")
            .redirectErrorStream(true)
            .start();
    String out = new String(psql.getInputStream().readAllBytes()).trim();
    assertThat(psql.waitFor()).as(out).isZero();
    assertThat(out).isEqualTo(vars.get("PGUSER"));
  }

  @Test
  void concurrentProvisionsDoNotCollideOnTheTemplateNorOnRevokes() throws Exception {
    int n = 10;
    var pool = Executors.newFixedThreadPool(n);
    var go = new java.util.concurrent.CountDownLatch(1);
    List<Future<ProvisionResult>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      var res = newResource("preview-" + i);
      results.add(
          pool.submit(
              () -> {
                go.await();
                return provider.provision(res);
              }));
    }
    go.countDown();
    for (var f : results) {
      assertThat(f.get().action()).isEqualTo(ProvisionResult.Action.CREATED);
    }
    pool.shutdown();
  }

  @Test
  void databasesAreClonedFromTheTemplateWithPublicOwnedByTheTenantAndClosedToOthers()
      throws Exception {
    var res = newResource("production");
    res.attributes().putAll(provider.provision(res).attributes());
    Map<String, String> vars = provider.variables(res);
    try (Connection admin = adminConnection("postgres");
        var st = admin.createStatement()) {
      var rs =
          st.executeQuery(
              "SELECT datistemplate, datallowconn, shobj_description(oid, 'pg_database')"
                  + " FROM pg_database WHERE datname = 'miosa_template'");
      assertThat(rs.next()).as("the template exists").isTrue();
      assertThat(rs.getBoolean(1)).isTrue();
      assertThat(rs.getBoolean(2)).as("nobody connects to the template").isFalse();
      assertThat(rs.getString(3)).isEqualTo(TenantTemplates.TEMPLATE_MARK);
    }
    try (Connection c = DriverManager.getConnection(vars.get("JDBC_DATABASE_URL"));
        var st = c.createStatement()) {
      var rs =
          st.executeQuery(
              "SELECT has_schema_privilege('public', 'public', 'USAGE'),"
                  + " has_schema_privilege('public', 'public', 'CREATE'),"
                  + " pg_has_role(current_user, n.nspowner, 'USAGE')"
                  + " FROM pg_namespace n WHERE n.nspname = 'public'");
      rs.next();
      assertThat(rs.getBoolean(1)).as("PUBLIC may not use the schema").isFalse();
      assertThat(rs.getBoolean(2)).as("PUBLIC may not create in it").isFalse();
      assertThat(rs.getBoolean(3)).as("the tenant owns it").isTrue();
      rs =
          st.executeQuery(
              "SELECT current_user, session_user, pg_get_userbyid(d.datdba),"
                  + " pg_get_userbyid(n.nspowner) FROM pg_database d, pg_namespace n"
                  + " WHERE d.datname = current_database() AND n.nspname = 'public'");
      rs.next();
      String owner = vars.get("PGDATABASE") + "_owner";
      assertThat(rs.getString(1)).as("sessions run as the owner role").isEqualTo(owner);
      assertThat(rs.getString(2)).isEqualTo(vars.get("PGUSER"));
      assertThat(rs.getString(3)).as("the owner role owns the database").isEqualTo(owner);
      assertThat(rs.getString(4)).isEqualTo("pg_database_owner");
      // As its owner the tenant may share it, and drop and make it again.
      st.execute("GRANT USAGE ON SCHEMA public TO PUBLIC");
      st.execute("DROP SCHEMA public CASCADE");
      st.execute("CREATE SCHEMA public");
    }
  }

  @Test
  void aTemplateLeftUnfinishedIsMadeAgainBeforeUse() throws Exception {
    try (Connection admin = adminConnection("postgres");
        var st = admin.createStatement()) {
      provider.provision(newResource("production")); // the template exists now
      st.execute("ALTER DATABASE miosa_template WITH IS_TEMPLATE false ALLOW_CONNECTIONS true");
      st.execute("DROP DATABASE miosa_template WITH (FORCE)");
      st.execute("CREATE DATABASE miosa_template"); // as a crash half-way would leave it
    }
    try (Connection t = adminConnection("miosa_template");
        var st = t.createStatement()) {
      st.execute("CREATE TABLE stray (v int)");
    }
    try (var fresh = withoutSpares()) {
      var res = InMemoryResourceContext.of("production", "pg-1", fresh.validateConfig(Map.of()));
      res.attributes().putAll(fresh.provision(res).attributes());
      try (Connection c =
              DriverManager.getConnection(fresh.variables(res).get("JDBC_DATABASE_URL"));
          var st = c.createStatement()) {
        var rs = st.executeQuery("SELECT to_regclass('public.stray') IS NULL");
        rs.next();
        assertThat(rs.getBoolean(1)).as("cloned from a template made afresh").isTrue();
      }
    }
  }

  static Connection adminConnection(String database) throws SQLException {
    return DriverManager.getConnection(
        server.adminJdbcUrl(database), server.adminUser(), server.adminPassword().reveal());
  }

  @Test
  void configIsValidatedNamingTheField() {
    assertThatThrownBy(() -> provider.validateConfig(Map.of("connectionLimit", "ten")))
        .hasMessageContaining("integer")
        .extracting("field")
        .isEqualTo("config.connectionLimit");
    assertThatThrownBy(() -> provider.validateConfig(Map.of("size", 1)))
        .extracting("field")
        .isEqualTo("config.size");
    assertThat(provider.validateConfig(Map.of("connectionLimit", 5)))
        .containsEntry("connectionLimit", 5);
  }
}
