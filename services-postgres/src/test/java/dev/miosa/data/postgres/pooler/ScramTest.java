package dev.miosa.data.postgres.pooler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Properties;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Verifiers computed here are accepted by a real PostgreSQL for a login with the password. */
class ScramTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Abc123alphanumericOnlyPassword0123456789",
        "p@ss/w:rd%?#+ &x='\"\\ with spaces",
        "pässwörd-ünïcode-ß",
        "ｆｕｌｌｗｉｄｔｈ and\u00A0nbsp and soft\u00ADhyphen",
        ""
      })
  void postgresAcceptsTheVerifierForThePassword(String password) throws Exception {
    if (password.isEmpty()) {
      assertThat(Scram.isVerifier(Scram.verifier(Secret.of("")).reveal())).isTrue();
      return; // PostgreSQL refuses empty passwords at login; the verifier is still well-formed
    }
    LocalPostgres pg = TestServers.postgres();
    String role = "scram_" + Long.toString(System.nanoTime(), 36);
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
      var rs = st.executeQuery("SELECT rolpassword FROM pg_authid WHERE rolname = '" + role + "'");
      rs.next();
      assertThat(rs.getString(1)).isEqualTo(verifier.reveal()); // stored as given
      st.execute("REVOKE CONNECT ON DATABASE postgres FROM " + role);
      st.execute("DROP ROLE " + role);
    }
  }
}
