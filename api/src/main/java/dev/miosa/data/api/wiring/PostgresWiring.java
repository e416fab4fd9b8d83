package dev.miosa.data.api.wiring;

import dev.miosa.data.api.config.EmbeddedServers;
import dev.miosa.data.api.config.PostgresProperties;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.postgres.PostgresProvider;
import dev.miosa.data.postgres.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wires managed Postgres: the tenant servers from settings, or the embedded local cluster. */
@Configuration(proxyBeanMethods = false)
public class PostgresWiring {

  private static final Logger log = LoggerFactory.getLogger(PostgresWiring.class);

  @Bean
  PostgresProvider postgresProvider(PostgresProperties props, EmbeddedServers embedded) {
    return new PostgresProvider(tenantServers(props, embedded));
  }

  static List<PostgresServer> tenantServers(PostgresProperties props, EmbeddedServers embedded) {
    List<PostgresServer> servers = new ArrayList<>();
    if (props.embedded()) {
      LocalPostgres pg = embedded.tenantPostgres();
      servers.add(
          new PostgresServer(
              "local", pg.host(), pg.port(), LocalPostgres.SUPERUSER, pg.superuserPassword(), "postgres", null, 0, "disable"));
      log.info("embedded tenant Postgres server on {}:{}", pg.host(), pg.port());
      return servers;
    }
    if (props.url() != null && !props.url().isBlank()) {
      PostgresServer s = PostgresServer.parse("pg-1", props.url());
      servers.add(
          new PostgresServer(
              s.id(), s.host(), s.port(), s.adminUser(), s.adminPassword(), s.adminDatabase(),
              props.publicHost(), props.publicPort() == null ? 0 : props.publicPort(), s.sslmode()));
    }
    if (props.servers() != null) {
      for (String entry : props.servers()) {
        int eq = entry.indexOf('=');
        if (eq < 1) {
          throw new IllegalStateException("miosa.postgres.servers entries are id=postgresql://...");
        }
        servers.add(PostgresServer.parse(entry.substring(0, eq), entry.substring(eq + 1)));
      }
    }
    return servers;
  }

}
