package dev.miosa.data.api.wiring;

import dev.miosa.data.api.config.EmbeddedServers;
import dev.miosa.data.api.config.PgBouncerProperties;
import dev.miosa.data.api.config.PostgresProperties;
import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.LocalPgBouncer;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.postgres.PgTools;
import dev.miosa.data.postgres.PostgresProvider;
import dev.miosa.data.postgres.PostgresServer;
import dev.miosa.data.postgres.pooler.PgBouncer;
import dev.miosa.data.postgres.pooler.PgBouncerRegistry;
import dev.miosa.data.provisioner.resource.ResourceRow;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.resource.StoredResourceContext;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * Wires managed Postgres: the tenant servers from settings, or the embedded local cluster; the
 * PgBouncer in front of them from settings, or (with the embedded cluster) a local PgBouncer. Once
 * the application is ready, PgBouncer's files are rebuilt from the control plane's records.
 */
@Configuration(proxyBeanMethods = false)
public class PostgresWiring {

  private static final Logger log = LoggerFactory.getLogger(PostgresWiring.class);

  /**
   * The PostgreSQL client tools, when the machine has them.
   *
   * @param tools the tools, or empty (then there is no pooler and no backups)
   * @param missing why they are missing, or null
   */
  record PostgresTools(Optional<PgTools> tools, String missing) {}

  /**
   * The PgBouncer registry, when a pooler is in use.
   *
   * @param registry the registry, or empty when tenants connect directly
   */
  record Pooler(Optional<PgBouncerRegistry> registry) {}

  @Bean
  PostgresTools postgresTools(PostgresProperties props) {
    try {
      PgTools tools = PgTools.locate(props.toolsDir());
      log.info("PostgreSQL client tools: {}", tools.dir());
      return new PostgresTools(Optional.of(tools), null);
    } catch (IllegalStateException e) {
      log.warn("{}; PgBouncer pooling and backups are unavailable", e.getMessage());
      return new PostgresTools(Optional.empty(), e.getMessage());
    }
  }

  @Bean
  Pooler postgresPooler(
      PgBouncerProperties props,
      PostgresProperties postgres,
      PostgresTools tools,
      EmbeddedServers embedded,
      DataSource dataSource,
      SecretCipher cipher) {
    if (props.configured()) {
      if (props.configDir() == null) {
        throw new IllegalStateException(
            "MIOSA_PGBOUNCER_CONFIG_DIR must be set with MIOSA_PGBOUNCER_ADMIN_URL: the directory where the control"
                + " plane writes databases.ini and users.txt for PgBouncer");
      }
      PgTools pgTools =
          tools
              .tools()
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "MIOSA_PGBOUNCER_ADMIN_URL needs psql: " + tools.missing()));
      PgBouncer settings =
          PgBouncer.parse(
              props.adminUrl(),
              props.configDir(),
              props.publicHost(),
              props.publicPort() == null ? 0 : props.publicPort());
      log.info("tenant DATABASE_URL goes through {}", settings);
      return new Pooler(Optional.of(new PgBouncerRegistry(settings, dataSource, cipher, pgTools)));
    }
    if (!postgres.embedded() || !props.enabled()) {
      log.info(
          "no PgBouncer configured (MIOSA_PGBOUNCER_ADMIN_URL): tenant DATABASE_URL is direct");
      return new Pooler(Optional.empty());
    }
    if (tools.tools().isEmpty()) {
      return new Pooler(Optional.empty());
    }
    try {
      LocalPgBouncer bouncer =
          LocalPgBouncer.start(embedded.dataDir().resolve("pgbouncer"), Map.of());
      embedded.register(bouncer);
      PgBouncer settings =
          new PgBouncer(
              bouncer.host(),
              bouncer.port(),
              bouncer.adminUser(),
              bouncer.adminPassword(),
              "disable",
              null,
              0,
              bouncer.configDir());
      log.info(
          "embedded PgBouncer on {}:{}: tenant DATABASE_URL goes through it",
          bouncer.host(),
          bouncer.port());
      return new Pooler(
          Optional.of(new PgBouncerRegistry(settings, dataSource, cipher, tools.tools().get())));
    } catch (IOException e) {
      log.warn(
          "PgBouncer is not available ({}); tenant DATABASE_URL is direct (set MIOSA_PGBOUNCER_ENABLED=false to silence this)",
          e.getMessage());
      return new Pooler(Optional.empty());
    }
  }

  @Bean
  PostgresProvider postgresProvider(
      PostgresProperties props, EmbeddedServers embedded, Pooler pooler, MeterRegistry meters) {
    int spares = props.spareDatabasesOrDefault();
    if (spares < 0 || spares > 64) {
      throw new IllegalStateException(
          "MIOSA_POSTGRES_SPARE_DATABASES must be 0 to 64, not " + spares);
    }
    PostgresProvider provider =
        new PostgresProvider(
            tenantServers(props, embedded),
            () -> Passwords.alphanumeric(40),
            pooler.registry().orElse(null),
            spares);
    FunctionCounter.builder(
            "miosa.postgres.spare.databases.claims", provider, p -> p.spares().claimed())
        .tag("result", "claimed")
        .description("Postgres attaches that renamed a spare database")
        .register(meters);
    FunctionCounter.builder(
            "miosa.postgres.spare.databases.claims", provider, p -> p.spares().missed())
        .tag("result", "missed")
        .description("Postgres attaches that found no spare database and created one")
        .register(meters);
    return provider;
  }

  static List<PostgresServer> tenantServers(PostgresProperties props, EmbeddedServers embedded) {
    List<PostgresServer> servers = new ArrayList<>();
    if (props.embedded()) {
      LocalPostgres pg = embedded.tenantPostgres();
      servers.add(
          new PostgresServer(
              "local",
              pg.host(),
              pg.port(),
              LocalPostgres.SUPERUSER,
              pg.superuserPassword(),
              "postgres",
              null,
              0,
              "disable"));
      log.info("embedded tenant Postgres server on {}:{}", pg.host(), pg.port());
      return servers;
    }
    if (props.url() != null && !props.url().isBlank()) {
      PostgresServer s = PostgresServer.parse("pg-1", props.url());
      servers.add(
          new PostgresServer(
              s.id(),
              s.host(),
              s.port(),
              s.adminUser(),
              s.adminPassword(),
              s.adminDatabase(),
              props.publicHost(),
              props.publicPort() == null ? 0 : props.publicPort(),
              s.sslmode()));
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

  @Bean
  PoolerStarter postgresPoolerStarter(
      Pooler pooler, PostgresProvider provider, ResourceStore resources, SecretCipher cipher) {
    return new PoolerStarter(pooler, provider, resources, cipher);
  }

  /**
   * At start (migrations applied): rewrites PgBouncer's files from the records and reloads it, so
   * that a PgBouncer restarted or given an empty directory serves every tenant again; then
   * registers ready databases that have no record (created before the pooler was configured).
   */
  static final class PoolerStarter {
    private final Pooler pooler;
    private final PostgresProvider provider;
    private final ResourceStore resources;
    private final SecretCipher cipher;

    PoolerStarter(
        Pooler pooler, PostgresProvider provider, ResourceStore resources, SecretCipher cipher) {
      this.pooler = pooler;
      this.provider = provider;
      this.resources = resources;
      this.cipher = cipher;
    }

    @EventListener(ApplicationReadyEvent.class)
    void sync() {
      // In the background: the first attach then finds spares; a server down now fails nothing.
      provider.spares().refillSoon();
      if (pooler.registry().isEmpty()) {
        return;
      }
      PgBouncerRegistry registry = pooler.registry().get();
      try {
        registry.sync();
        Set<String> registered = registry.registeredDatabases();
        for (ResourceRow row : resources.readyOfType("postgres")) {
          String database =
              row.attributes()
                  .getOrDefault(PostgresProvider.ATTR_DATABASE, PostgresProvider.nameFor(row.id()));
          if ("present".equals(row.desired()) && !registered.contains(database)) {
            provider.provision(new StoredResourceContext(row, resources, cipher, null));
            log.info("registered database of resource {} with PgBouncer", row.id());
          }
        }
      } catch (RuntimeException e) {
        log.warn(
            "could not bring PgBouncer up to date at start: {}; the next change to a Postgres data service retries",
            e.getMessage());
      }
    }
  }
}
