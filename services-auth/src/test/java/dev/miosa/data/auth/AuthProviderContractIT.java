package dev.miosa.data.auth;

import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import dev.miosa.data.provisioner.testing.ServiceProviderContract;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The provider contract on a real control-plane database: a resource is a realm row (with its users
 * and sessions), and its secret is stored encrypted as the api stores it.
 */
class AuthProviderContractIT extends ServiceProviderContract {

  static ControlPlane cp;

  @BeforeAll
  static void start() throws Exception {
    cp = new ControlPlane(AuthSettings.defaults("https://data.example.com/"));
  }

  @AfterAll
  static void stop() {
    cp.dataSource.close();
  }

  @Override
  protected ServiceProvider provider() {
    return cp.provider;
  }

  @Override
  protected ResourceContext newResource() {
    return cp.newResource("production", Map.of());
  }

  @Override
  protected ResourceContext recorded(ResourceContext resource, ProvisionResult result) {
    cp.resources.markReady(resource.resourceId(), result.attributes());
    return cp.context(resource.resourceId());
  }

  @Override
  protected Set<String> variableNames() {
    return Set.of("AUTH_URL", "AUTH_JWT_SECRET");
  }

  @Override
  protected boolean existsOnBackend(ResourceContext resource) {
    return cp.jdbc
        .sql("SELECT EXISTS (SELECT 1 FROM auth_realms WHERE id = :id)")
        .param("id", resource.resourceId())
        .query(Boolean.class)
        .single();
  }

  /** Whether the runtime API finds the realm (a disabled one answers 404). */
  @Override
  protected boolean tenantCanUse(ResourceContext resource) {
    return cp.realms.find(resource.resourceId()).isPresent();
  }
}
