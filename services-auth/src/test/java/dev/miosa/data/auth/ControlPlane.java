package dev.miosa.data.auth;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.auth.realm.RealmDirectory;
import dev.miosa.data.auth.realm.StoredRealmSecrets;
import dev.miosa.data.auth.user.EmailConfirmation;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.LocalPostgres;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.resource.StoredResourceContext;
import java.util.Map;
import org.flywaydb.core.Flyway;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import tools.jackson.databind.json.JsonMapper;

/**
 * A fresh control-plane database on the shared test PostgreSQL, migrated with the api's real Flyway
 * migrations (every module's folder, see TestServers.migrationLocations), plus the real resource
 * store and cipher, so that realms are provisioned exactly as the api does it.
 */
final class ControlPlane {

  final HikariDataSource dataSource;
  final JdbcClient jdbc;
  final JsonMapper json = JsonMapper.builder().build();
  final ResourceStore resources;
  final SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.generateKeyBase64());
  final AuthSettings settings;
  final MutableClock clock = new MutableClock();
  final AuthModule module;
  final RealmDirectory realms;
  final AuthProvider provider;
  final RealmService service;
  private final String projectId = Ids.newId("prj");

  ControlPlane(AuthSettings settings) throws Exception {
    LocalPostgres pg = TestServers.postgres();
    String db = "auth_" + Ids.newId("t").substring(2);
    pg.createDatabaseIfAbsent(db);
    HikariConfig hc = new HikariConfig();
    hc.setJdbcUrl(pg.jdbcUrl(db));
    hc.setUsername(LocalPostgres.SUPERUSER);
    hc.setPassword(pg.superuserPassword().reveal());
    hc.setMaximumPoolSize(12);
    dataSource = new HikariDataSource(hc);
    Flyway.configure()
        .dataSource(dataSource)
        .locations(TestServers.migrationLocations().toArray(String[]::new))
        .load()
        .migrate();
    jdbc = JdbcClient.create(dataSource);
    resources = new ResourceStore(jdbc, json);
    this.settings = settings;
    module =
        new AuthModule(
            jdbc,
            new DataSourceTransactionManager(dataSource),
            new StoredRealmSecrets(resources, cipher),
            settings,
            clock,
            EmailConfirmation.AUTOCONFIRM);
    realms = module.realms();
    provider = module.provider();
    service = module.service();
    jdbc.sql("INSERT INTO projects (id, slug, name) VALUES (:id, :slug, 'Test')")
        .param("id", projectId)
        .param("slug", "p" + projectId.substring(4))
        .update();
  }

  /** A new auth data service with one environment, provisioned; returns its resource. */
  StoredResourceContext newResource(String environment, Map<String, Object> config) {
    String envId = Ids.newId("env");
    String serviceId = Ids.newId("svc");
    jdbc.sql("INSERT INTO environments (id, project_id, name) VALUES (:id, :p, :name)")
        .param("id", envId)
        .param("p", projectId)
        .param("name", environment + "-" + envId.substring(4, 10))
        .update();
    jdbc.sql(
            "INSERT INTO data_services (id, project_id, type, name, config) VALUES (:id, :p, 'auth', :name, CAST(:c AS jsonb))")
        .param("id", serviceId)
        .param("p", projectId)
        .param("name", "s" + serviceId.substring(4, 12))
        .param("c", json.writeValueAsString(provider.validateConfig(config)))
        .update();
    String resourceId = resources.createIfAbsent(serviceId, envId, "default").orElseThrow();
    return context(resourceId);
  }

  StoredResourceContext context(String resourceId) {
    return new StoredResourceContext(
        resources.find(resourceId).orElseThrow(), resources, cipher, null);
  }

  /** Provisions a new realm and returns it as the runtime sees it. */
  Realm newRealm(String environment, Map<String, Object> config) {
    StoredResourceContext res = newResource(environment, config);
    provider.provision(res);
    return realms.find(res.resourceId()).orElseThrow();
  }

  int count(String table, String realmId) {
    return jdbc.sql("SELECT count(*) FROM " + table + " WHERE realm_id = :r")
        .param("r", realmId)
        .query(Integer.class)
        .single();
  }
}
