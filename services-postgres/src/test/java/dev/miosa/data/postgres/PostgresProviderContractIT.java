package dev.miosa.data.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import dev.miosa.data.provisioner.testing.ServiceProviderContract;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The provider contract on a real local PostgreSQL: a resource is a database and its role. */
class PostgresProviderContractIT extends ServiceProviderContract {

  static LocalPostgres pg;
  static PostgresProvider provider;

  @BeforeAll
  static void start() {
    pg = TestServers.postgres();
    provider = new PostgresProvider(List.of(TestPostgresServers.of("pg-1", pg)));
  }

  @AfterAll
  static void stop() {
    provider.close();
  }

  @Override
  protected ServiceProvider provider() {
    return provider;
  }

  @Override
  protected ResourceContext newResource() {
    return InMemoryResourceContext.of("production", "pg-1", provider.validateConfig(Map.of()));
  }

  @Override
  protected Set<String> variableNames() {
    return Set.of(
        "DATABASE_URL",
        "DATABASE_URL_UNPOOLED",
        "JDBC_DATABASE_URL",
        "PGHOST",
        "PGPORT",
        "PGDATABASE",
        "PGUSER",
        "PGPASSWORD");
  }

  /** The database and its role exist together or not at all. */
  @Override
  protected boolean existsOnBackend(ResourceContext resource) throws Exception {
    String name = PostgresProvider.nameFor(resource.resourceId());
    try (Connection admin = pg.connect("postgres");
        var st =
            admin.prepareStatement(
                "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?),"
                    + " EXISTS (SELECT 1 FROM pg_roles WHERE rolname = ?)")) {
      st.setString(1, name);
      st.setString(2, name);
      var rs = st.executeQuery();
      rs.next();
      assertThat(rs.getBoolean(2)).as("role beside database " + name).isEqualTo(rs.getBoolean(1));
      return rs.getBoolean(1);
    }
  }

  /** A session as the tenant, straight to the server, with the password its variables give. */
  private static Connection tenantSession(ResourceContext resource) throws SQLException {
    PgTools.Target t = provider.directTarget(resource);
    return DriverManager.getConnection(
        "jdbc:postgresql://" + t.host() + ":" + t.port() + "/" + t.database(),
        t.user(),
        t.password().reveal());
  }

  @Override
  protected boolean tenantCanUse(ResourceContext resource) {
    try (Connection c = tenantSession(resource)) {
      return c.createStatement().execute("SELECT 1");
    } catch (SQLException e) {
      return false;
    }
  }

  @Override
  protected void writeTenantData(ResourceContext resource) throws Exception {
    try (Connection c = tenantSession(resource)) {
      c.createStatement().execute("CREATE TABLE kept (v text); INSERT INTO kept VALUES ('row')");
    }
  }

  @Override
  protected boolean tenantDataIsThere(ResourceContext resource) throws Exception {
    try (Connection c = tenantSession(resource);
        var rs = c.createStatement().executeQuery("SELECT v FROM kept")) {
      return rs.next() && "row".equals(rs.getString(1));
    }
  }

  @Test
  void disableEndsTheTenantsOpenSessions() throws Exception {
    ResourceContext resource = newResource();
    provider.provision(resource);
    try (Connection open = tenantSession(resource)) {
      assertThat(open.isValid(5)).isTrue();
      provider.disable(resource);
      assertThat(open.isValid(5)).as("the session open before disable").isFalse();
    }
    provider.enable(resource);
    assertThat(tenantCanUse(resource)).isTrue();
  }
}
