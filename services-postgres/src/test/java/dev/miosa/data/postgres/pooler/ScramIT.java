package dev.miosa.data.postgres.pooler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Base64;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Verifiers made here are the ones a real PostgreSQL makes for the same password and salt, and let
 * a login with the password succeed.
 */
class ScramIT {

  static List<String> passwords() {
    return List.of(
        "Abc123alphanumericOnlyPassword0123456789",
        "p@ss/w:rd%?#+ &x='\"\\ with spaces",
        "pässwörd-ünïcode-ß",
        "ｆｕｌｌｗｉｄｔｈ and\u00A0nbsp and soft\u00ADhyphen",
        "\u05D0\u05D1 mixed right-to-left and left-to-right");
  }

  @ParameterizedTest
  @MethodSource("passwords")
  void postgresAcceptsTheVerifierForThePassword(String password) throws Exception {
    LocalPostgres pg = TestServers.postgres();
    String role = newRole();
    Secret verifier = Scram.verifier(Secret.of(password));
    assertThat(Scram.isVerifier(verifier.reveal())).isTrue();
    assertThat(verifier.toString()).doesNotContain("SCRAM");
    try (Connection admin = pg.connect("postgres");
        var st = admin.createStatement()) {
      st.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + verifier.reveal() + "'");
      st.execute("GRANT CONNECT ON DATABASE postgres TO " + role);
    }
    Properties props = new Properties();
    props.setProperty("user", role);
    props.setProperty("password", password);
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl("postgres"), props)) {
      assertThat(c.isValid(2)).isTrue();
    }
    try (Connection admin = pg.connect("postgres");
        var st = admin.createStatement()) {
      assertThat(storedVerifier(st, role)).isEqualTo(verifier.reveal()); // stored as given
      st.execute("REVOKE CONNECT ON DATABASE postgres FROM " + role);
      st.execute("DROP ROLE " + role);
    }
  }

  /**
   * The login above goes through pgjdbc, which prepares the password with the same code that made
   * the verifier; this compares with the server's own SASLprep and hashing, which libpq clients
   * (psql, PgBouncer) follow.
   */
  @ParameterizedTest
  @MethodSource("passwords")
  void theVerifierIsTheOneThePostgresServerComputesForTheSameSalt(String password)
      throws Exception {
    LocalPostgres pg = TestServers.postgres();
    String role = newRole();
    try (Connection admin = pg.connect("postgres");
        var st = admin.createStatement()) {
      st.execute("SET password_encryption = 'scram-sha-256'");
      st.execute(
          "CREATE ROLE " + role + " PASSWORD '" + password.replace("'", "''") + "'"); // plain
      String byServer = storedVerifier(st, role);
      st.execute("DROP ROLE " + role);
      assertThat(Scram.isVerifier(byServer)).as(byServer).isTrue();
      String[] iterationsAndSalt = byServer.split("[$]")[1].split(":");
      Secret ours =
          Scram.verifier(
              Secret.of(password),
              Base64.getDecoder().decode(iterationsAndSalt[1]),
              Integer.parseInt(iterationsAndSalt[0]));
      assertThat(ours.reveal()).isEqualTo(byServer);
    }
  }

  @Test
  void anEmptyPasswordIsRefused() {
    // PostgreSQL refuses empty passwords at login, so such a verifier could never be used.
    assertThatThrownBy(() -> Scram.verifier(Secret.of("")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("non-empty");
  }

  @Test
  void onlyTheStoredVerifierShapeCountsAsAVerifier() {
    assertThat(Scram.isVerifier("SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy")).isTrue();
    assertThat(Scram.isVerifier("md5" + "0".repeat(32))).isFalse();
    assertThat(Scram.isVerifier("SCRAM-SHA-256$4096:c2FsdA==$c3RvcmVk:c2VydmVy'; DROP")).isFalse();
    assertThat(Scram.isVerifier("plain password")).isFalse();
  }

  private static String newRole() {
    return "scram_" + Long.toString(System.nanoTime(), 36);
  }

  private static String storedVerifier(java.sql.Statement st, String role) throws SQLException {
    var rs = st.executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "'");
    rs.next();
    return rs.getString(1);
  }
}
