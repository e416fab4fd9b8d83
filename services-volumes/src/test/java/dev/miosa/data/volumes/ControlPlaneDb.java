package dev.miosa.data.volumes;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.Ids;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * A fresh control-plane database on the shared test PostgreSQL, migrated by Flyway from the api
 * module's migration files (read from the file system), and connection pools on it: one per
 * simulated api replica.
 */
final class ControlPlaneDb implements AutoCloseable {

  private final LocalPostgres pg = TestServers.postgres();
  private final String database = "cp_" + Ids.newId("t").substring(2);
  private final List<HikariDataSource> pools = new ArrayList<>();

  ControlPlaneDb() throws Exception {
    pg.createDatabaseIfAbsent(database);
    Flyway.configure()
        .dataSource(pool(2))
        .locations(TestServers.migrationLocations().toArray(String[]::new))
        .load()
        .migrate();
  }

  /** A new connection pool on the database (one api replica). */
  HikariDataSource pool(int size) {
    HikariConfig c = new HikariConfig();
    c.setJdbcUrl(pg.jdbcUrl(database));
    c.setUsername(LocalPostgres.SUPERUSER);
    c.setPassword(pg.superuserPassword().reveal());
    c.setMaximumPoolSize(size);
    c.setMinimumIdle(0);
    HikariDataSource ds = new HikariDataSource(c);
    pools.add(ds);
    return ds;
  }

  /** A client and transaction template on one pool. */
  record Replica(JdbcClient jdbc, TransactionTemplate tx) {}

  Replica replica(int poolSize) {
    HikariDataSource ds = pool(poolSize);
    return new Replica(
        JdbcClient.create(ds), new TransactionTemplate(new DataSourceTransactionManager(ds)));
  }

  @Override
  public void close() {
    pools.forEach(HikariDataSource::close);
  }
}
