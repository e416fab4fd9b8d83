package dev.miosa.data.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import dev.miosa.data.provisioner.testing.ServiceProviderContract;
import java.sql.Connection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

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
}
