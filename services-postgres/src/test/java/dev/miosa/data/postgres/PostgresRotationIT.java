package dev.miosa.data.postgres;

import static dev.miosa.data.postgres.TestSql.count;
import static dev.miosa.data.postgres.TestSql.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.local.LocalPgBouncer;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.postgres.pooler.PgBouncer;
import dev.miosa.data.postgres.pooler.PgBouncerRegistry;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Credential rotation of tenant databases on a real PostgreSQL behind a real PgBouncer: the next
 * login role is added, promoted the way the control plane does it, and the previous one revoked.
 */
class PostgresRotationIT {

  static LocalPostgres pg;
  static LocalPgBouncer bouncer;
  static TestResources records;
  static PostgresProvider provider;

  @BeforeAll
  static void start() {
    pg = TestServers.postgres();
    bouncer = TestServers.newPgBouncer(); // its own: its files follow this class's records only
    records = new TestResources("rotation");
    PgBouncerRegistry registry = TestPostgresServers.registry(bouncer, records.controlPlane);
    provider =
        new PostgresProvider(
            List.of(TestPostgresServers.of("pg-1", pg)),
            () -> Passwords.alphanumeric(40),
            registry);
  }

  @AfterAll
  static void stop() {
    provider.close();
    bouncer.stop();
  }

  /** A new resource, provisioned; its id. */
  static String provisioned() {
    String res =
        records
            .service(provider.validateConfig(Map.of()), "production")
            .resourceByEnv()
            .get("production");
    provision(res);
    return res;
  }

  static void provision(String res) {
    records.resources.mergeAttributes(res, provider.provision(records.context(res)).attributes());
  }

  static Map<String, String> vars(String res) {
    return provider.variables(records.context(res));
  }

  /** Adds the next credential and promotes it, as the rotate operation does before the grace. */
  static Map<String, String> rotate(String res) {
    addNext(res);
    records.promote(res);
    return vars(res);
  }

  static void addNext(String res) {
    records.resources.mergeAttributes(res, provider.addNextCredentials(records.context(res)));
  }

  /** Revokes the previous credential, as the control plane does at the end of the grace. */
  static void revoke(String res) {
    provider.revokePreviousCredentials(records.context(res));
    records.forgetPrevious(res);
  }

  static Connection pooled(Map<String, String> vars) throws SQLException {
    return DriverManager.getConnection(vars.get("JDBC_DATABASE_URL"));
  }

  static Connection direct(Map<String, String> vars) throws SQLException {
    return direct(vars, vars.get("PGDATABASE"));
  }

  static Connection direct(Map<String, String> vars, String database) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", vars.get("PGUSER"));
    p.setProperty("password", vars.get("PGPASSWORD"));
    return DriverManager.getConnection(pg.jdbcUrl(database), p);
  }

  @Test
  void duringTheGraceOldAndNewCredentialsBothConnectAndUseEachOthersTables() throws Exception {
    var res = provisioned();
    Map<String, String> old = vars(res);
    try (Connection c = pooled(old)) {
      exec(c, "CREATE TABLE made_by_old (v int)");
      exec(c, "INSERT INTO made_by_old VALUES (1)");
    }
    Map<String, String> fresh = rotate(res);
    assertThat(fresh.get("PGUSER")).isNotEqualTo(old.get("PGUSER"));
    assertThat(fresh.get("PGPASSWORD")).isNotEqualTo(old.get("PGPASSWORD"));
    assertThat(fresh.get("PGDATABASE")).isEqualTo(old.get("PGDATABASE"));
    assertThat(fresh.get("DATABASE_URL_UNPOOLED")).contains(fresh.get("PGUSER") + ":");
    assertThat(Files.readString(bouncer.configDir().resolve(PgBouncer.USERS_FILE)))
        .contains("\"" + old.get("PGUSER") + "\"")
        .contains("\"" + fresh.get("PGUSER") + "\"");

    try (Connection c = pooled(fresh)) {
      exec(c, "INSERT INTO made_by_old VALUES (2)");
      exec(c, "CREATE TABLE made_by_new (v int)");
      exec(c, "INSERT INTO made_by_new VALUES (10)");
    }
    try (Connection c = direct(old)) {
      exec(c, "INSERT INTO made_by_new VALUES (20)");
      exec(c, "ALTER TABLE made_by_new ADD COLUMN note text"); // as an owner would
    }
    for (Map<String, String> vars : List.of(old, fresh)) {
      for (Connection c : List.of(pooled(vars), direct(vars))) {
        try (c) {
          assertThat(count(c, "SELECT count(*) FROM made_by_old")).isEqualTo(2);
          assertThat(count(c, "SELECT count(*) FROM made_by_new")).isEqualTo(2);
          assertThat(count(c, "SELECT count(*) FROM pg_tables WHERE tableowner = current_user"))
              .as("every table belongs to the owner role the sessions run as")
              .isEqualTo(2);
        }
      }
    }

    // Provisioning again (a reconcile) during the grace changes no credential.
    provision(res);
    assertThat(vars(res)).isEqualTo(fresh);
    try (Connection c = pooled(old)) {
      assertThat(count(c, "SELECT count(*) FROM made_by_new")).isEqualTo(2);
    }
  }

  @Test
  void afterTheRevokeTheOldCredentialIsRefusedAndItsOpenSessionsEnd() throws Exception {
    var res = provisioned();
    Map<String, String> old = vars(res);
    try (Connection c = direct(old)) {
      exec(c, "CREATE TABLE kept (v int)");
      exec(c, "INSERT INTO kept VALUES (1)");
    }
    Map<String, String> fresh = rotate(res);
    Connection heldDirect = direct(old);
    Connection heldPooled = pooled(old);
    assertThat(count(heldPooled, "SELECT count(*) FROM kept")).isEqualTo(1);

    revoke(res);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(heldDirect.isValid(2)).isFalse());
    assertThatThrownBy(() -> count(heldPooled, "SELECT count(*) FROM kept"))
        .isInstanceOf(SQLException.class);
    assertThatThrownBy(() -> direct(old).close()).isInstanceOf(SQLException.class);
    assertThatThrownBy(() -> pooled(old).close()).isInstanceOf(SQLException.class);
    heldDirect.close();
    heldPooled.close();
    assertThat(Files.readString(bouncer.configDir().resolve(PgBouncer.USERS_FILE)))
        .doesNotContain("\"" + old.get("PGUSER") + "\"")
        .contains("\"" + fresh.get("PGUSER") + "\"");
    try (Connection admin = pg.connect("postgres")) {
      assertThat(
              count(
                  admin,
                  "SELECT count(*) FROM pg_roles WHERE rolname = '" + old.get("PGUSER") + "'"))
          .isZero();
    }

    for (Connection c : List.of(pooled(fresh), direct(fresh))) {
      try (c) {
        exec(c, "INSERT INTO kept VALUES (2)");
        assertThat(count(c, "SELECT count(*) FROM kept")).isGreaterThanOrEqualTo(2);
      }
    }
    provider.revokePreviousCredentials(records.context(res)); // nothing left: no error
  }

  @Test
  void anotherRotationIsRefusedWhileThePreviousCredentialIsInItsGrace() throws Exception {
    String res = provisioned();
    rotate(res);
    assertThatThrownBy(() -> provider.addNextCredentials(records.context(res)))
        .isInstanceOf(ProvisioningException.class)
        .extracting("code", "retryable")
        .containsExactly("CREDENTIALS_IN_GRACE", false);
    revoke(res);
    assertThat(rotate(res).get("PGUSER")).endsWith("_g3");
  }

  @Test
  void theNewCredentialCannotReachAnotherTenantsDatabase() throws Exception {
    var mine = provisioned();
    Map<String, String> other = vars(provisioned());
    Map<String, String> fresh = rotate(mine);
    assertThatThrownBy(() -> direct(fresh, other.get("PGDATABASE")).close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("permission denied");
    assertThatThrownBy(() -> direct(fresh, "postgres").close())
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("permission denied");
    String intoOther =
        fresh
            .get("JDBC_DATABASE_URL")
            .replace("/" + fresh.get("PGDATABASE") + "?", "/" + other.get("PGDATABASE") + "?");
    assertThatThrownBy(
            () -> {
              try (Connection c = DriverManager.getConnection(intoOther)) {
                count(c, "SELECT 1");
              }
            })
        .isInstanceOf(SQLException.class)
        .hasMessageContaining("permission denied");
  }

  @Test
  void aSecondRotationRevokesTheFirstCredentialAndKeepsTheData() throws Exception {
    var res = provisioned();
    try (Connection c = pooled(vars(res))) {
      exec(c, "CREATE TABLE t (v int)");
    }
    rotate(res);
    revoke(res);
    Map<String, String> third = rotate(res);
    assertThat(third.get("PGUSER")).endsWith("_g3");
    revoke(res);
    try (Connection c = pooled(third)) {
      exec(c, "INSERT INTO t VALUES (3)");
      assertThat(count(c, "SELECT count(*) FROM t")).isEqualTo(1);
    }
  }

  @Test
  void loginRolesListsEveryCredentialOfTheResourceDuringTheGrace() throws Exception {
    var res = provisioned();
    String first = vars(res).get("PGUSER");
    String second = rotate(res).get("PGUSER");
    TenantDdl ddl = new TenantDdl(0);
    try (ddl;
        Connection admin = ddl.admin(TestPostgresServers.of("pg-1", pg))) {
      assertThat(ddl.loginRoles(admin, TenantNames.of(res))).containsExactly(first, second);
    }
  }

  @Test
  void deprovisionDuringARotationLeavesNoRoleBehind() throws Exception {
    var inGrace = provisioned();
    rotate(inGrace); // a previous and a current login
    var introducing = provisioned();
    addNext(introducing); // a current and a next login, not yet promoted
    for (String res : List.of(inGrace, introducing)) {
      provider.deprovision(records.context(res));
      String prefix = PostgresProvider.nameFor(res);
      try (Connection admin = pg.connect("postgres")) {
        assertThat(
                count(admin, "SELECT count(*) FROM pg_roles WHERE rolname LIKE '" + prefix + "%'"))
            .isZero();
      }
      assertThat(Files.readString(bouncer.configDir().resolve(PgBouncer.USERS_FILE)))
          .doesNotContain(prefix);
      provider.deprovision(records.context(res)); // already gone: no error
    }
  }
}
