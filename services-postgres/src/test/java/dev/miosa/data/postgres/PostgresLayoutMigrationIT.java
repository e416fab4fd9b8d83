package dev.miosa.data.postgres;

import static dev.miosa.data.postgres.TestSql.exec;
import static dev.miosa.data.postgres.TestSql.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.postgres.pooler.Scram;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Databases of the older layout (a login role owning its database and objects) moved in place to
 * the owner-role layout by an ordinary provision, on a real PostgreSQL, while their sessions run.
 */
class PostgresLayoutMigrationIT {

  static LocalPostgres pg;
  static TestResources records;
  static PostgresProvider provider;

  @BeforeAll
  static void start() {
    pg = TestServers.postgres();
    records = new TestResources("layout");
    provider = new PostgresProvider(List.of(TestPostgresServers.of("pg-1", pg)));
  }

  @AfterAll
  static void stop() {
    provider.close();
  }

  /**
   * A resource as the older provider left it: the login role owns the database (cloned from
   * template1, its {@code public} schema given to the role), {@code CONNECT} granted to the role
   * only, and the resource's records without a {@code user} attribute.
   */
  static String oldLayout() throws SQLException {
    String res = newResource("production");
    String name = PostgresProvider.nameFor(res);
    Secret password = Passwords.alphanumeric(40);
    Secret verifier = Scram.verifier(password);
    var context = records.context(res);
    context.secret(PostgresProvider.SECRET_PASSWORD, () -> password);
    context.secret(PostgresProvider.SECRET_SCRAM, () -> verifier);
    records.resources.mergeAttributes(
        res, Map.of(PostgresProvider.ATTR_DATABASE, name, PostgresProvider.ATTR_ROLE, name));
    try (Connection admin = pg.connect("postgres")) {
      exec(
          admin,
          "CREATE ROLE "
              + name
              + " WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS INHERIT"
              + " CONNECTION LIMIT 20 PASSWORD '"
              + verifier.reveal()
              + "'");
      exec(admin, "CREATE DATABASE " + name + " OWNER " + name + " TEMPLATE template1");
      exec(admin, "REVOKE CONNECT, TEMPORARY ON DATABASE " + name + " FROM PUBLIC");
      exec(admin, "GRANT CONNECT, TEMPORARY ON DATABASE " + name + " TO " + name);
    }
    try (Connection db = pg.connect(name)) {
      exec(db, "ALTER SCHEMA public OWNER TO " + name);
      exec(db, "REVOKE ALL ON SCHEMA public FROM PUBLIC");
    }
    return res;
  }

  static String newResource(String env) {
    return records.service(provider.validateConfig(Map.of()), env).resourceByEnv().get(env);
  }

  static ProvisionResult provision(String res) {
    ProvisionResult result = provider.provision(records.context(res));
    records.resources.mergeAttributes(res, result.attributes());
    return result;
  }

  static Map<String, String> vars(String res) {
    return provider.variables(records.context(res));
  }

  static Connection login(Map<String, String> vars) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", vars.get("PGUSER"));
    p.setProperty("password", vars.get("PGPASSWORD"));
    return DriverManager.getConnection(pg.jdbcUrl(vars.get("PGDATABASE")), p);
  }

  @Test
  void provisionMovesAnOldLayoutDatabaseToItsOwnerRoleWhileItsSessionKeepsWorking()
      throws Exception {
    var res = oldLayout();
    Map<String, String> vars = vars(res);
    String name = vars.get("PGDATABASE");
    String owner = name + "_owner";
    try (Connection held = login(vars)) {
      exec(held, "CREATE TABLE orders (id serial PRIMARY KEY, total int)");
      exec(held, "INSERT INTO orders (total) VALUES (1)");
      assertThat(text(held, "SELECT tableowner FROM pg_tables WHERE tablename = 'orders'"))
          .isEqualTo(name);

      ProvisionResult result = provision(res);
      assertThat(result.action()).isEqualTo(ProvisionResult.Action.UPDATED);

      // The session opened before the move still works on its table, sequence included.
      exec(held, "INSERT INTO orders (total) VALUES (2)");
      assertThat(text(held, "SELECT count(*) FROM orders")).isEqualTo("2");
      assertThat(text(held, "SELECT tableowner FROM pg_tables WHERE tablename = 'orders'"))
          .isEqualTo(owner);
    }
    assertThat(vars(res)).as("no credential changed").isEqualTo(vars);
    try (Connection admin = pg.connect("postgres")) {
      assertThat(
              text(
                  admin,
                  "SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = '" + name + "'"))
          .isEqualTo(owner);
      assertThat(
              text(
                  admin,
                  "SELECT count(*) FROM pg_shdepend s JOIN pg_roles r ON r.oid = s.refobjid"
                      + " WHERE r.rolname = '"
                      + name
                      + "' AND s.deptype = 'o'"))
          .as("the login owns nothing any more")
          .isEqualTo("0");
      assertThat(text(admin, "SELECT rolcanlogin FROM pg_roles WHERE rolname = '" + owner + "'"))
          .isEqualTo("f");
    }
    try (Connection fresh = login(vars)) {
      assertThat(text(fresh, "SELECT current_user")).isEqualTo(owner);
      assertThat(text(fresh, "SELECT session_user")).isEqualTo(name);
      assertThat(
              text(
                  fresh,
                  "SELECT nspowner::regrole::text FROM pg_namespace WHERE nspname = 'public'"))
          .isEqualTo(owner);
      exec(fresh, "INSERT INTO orders (total) VALUES (3)");
      exec(fresh, "CREATE TABLE made_after (v int)");
      assertThat(text(fresh, "SELECT tableowner FROM pg_tables WHERE tablename = 'made_after'"))
          .isEqualTo(owner);
    }

    // Provisioning again changes nothing, and the migrated database rotates like a new one.
    provision(res);
    assertThat(vars(res)).isEqualTo(vars);
    records.resources.mergeAttributes(res, provider.addNextCredentials(records.context(res)));
    records.promote(res);
    provider.revokePreviousCredentials(records.context(res));
    Map<String, String> rotated = vars(res);
    try (Connection c = login(rotated)) {
      exec(c, "INSERT INTO orders (total) VALUES (4)");
      assertThat(text(c, "SELECT count(*) FROM orders")).isEqualTo("4");
    }
    assertThatThrownBy(() -> login(vars).close()).isInstanceOf(SQLException.class);
  }

  @Test
  void rotatingAnOldLayoutDatabaseNeverProvisionedSinceMovesItAndRevokesItsFirstLogin()
      throws Exception {
    var res = oldLayout();
    Map<String, String> first = vars(res);
    try (Connection c = login(first)) {
      exec(c, "CREATE TABLE t (v int)");
    }
    // Its records have no user attribute: the promotion moves no user to previous.user.
    records.resources.mergeAttributes(res, provider.addNextCredentials(records.context(res)));
    records.promote(res);
    assertThat(records.row(res).attributes()).doesNotContainKey("previous.user");
    provider.revokePreviousCredentials(records.context(res));
    assertThatThrownBy(() -> login(first).close()).isInstanceOf(SQLException.class);
    try (Connection c = login(vars(res))) {
      exec(c, "INSERT INTO t VALUES (1)");
      assertThat(text(c, "SELECT tableowner FROM pg_tables WHERE tablename = 't'"))
          .isEqualTo(first.get("PGDATABASE") + "_owner");
    }
  }

  @Test
  void aRoleBatchThatFailsHalfWayCreatesNothing() throws Exception {
    String res = newResource("production");
    TenantNames names = TenantNames.of(res);
    try (Connection admin = pg.connect("postgres")) {
      exec(admin, "CREATE ROLE " + names.firstLogin() + " NOLOGIN"); // the batch's second role
      assertThat(
              TenantRoles.createFresh(
                  admin, names, names.firstLogin(), Scram.verifier(Passwords.alphanumeric(40)), 5))
          .isFalse();
      assertThat(
              text(admin, "SELECT count(*) FROM pg_roles WHERE rolname = '" + names.owner() + "'"))
          .as("the owner role of the same batch was rolled back")
          .isEqualTo("0");
    }
    provision(res); // the reconcile adopts the role that was there
    try (Connection c = login(vars(res))) {
      assertThat(text(c, "SELECT current_user")).isEqualTo(names.owner());
    }
  }

  @Test
  void aMoveInterruptedHalfWayIsFinishedByTheNextProvision() throws Exception {
    var res = oldLayout();
    Map<String, String> vars = vars(res);
    String name = vars.get("PGDATABASE");
    String owner = name + "_owner";
    try (Connection c = login(vars)) {
      exec(c, "CREATE TABLE t (v int)");
    }
    try (Connection admin = pg.connect("postgres")) { // a crash after the first step
      exec(admin, "CREATE ROLE " + owner + " NOLOGIN");
      exec(admin, "GRANT " + owner + " TO " + name);
    }
    provision(res);
    try (Connection c = login(vars)) {
      assertThat(text(c, "SELECT current_user")).isEqualTo(owner);
      assertThat(text(c, "SELECT tableowner FROM pg_tables WHERE tablename = 't'"))
          .isEqualTo(owner);
      exec(c, "INSERT INTO t VALUES (1)");
    }
  }

  @Test
  void aMovedDatabaseStaysClosedToOtherTenants() throws Exception {
    var res = oldLayout();
    provision(res);
    String database = vars(res).get("PGDATABASE");
    String other = newResource("staging");
    provision(other);
    Map<String, String> intruder = new java.util.HashMap<>(vars(other));
    intruder.put("PGDATABASE", database);
    assertThatThrownBy(() -> login(intruder).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("permission denied");
    try (Connection admin = pg.connect("postgres")) {
      assertThat(
              text(admin, "SELECT has_database_privilege('public', '" + database + "', 'CONNECT')"))
          .isEqualTo("f");
    }
  }
}
