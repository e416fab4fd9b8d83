package dev.miosa.data.provisioner.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.provisioner.spi.InvalidConfigException;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle every {@link ServiceProvider} keeps, walked against its real backend server:
 * provision creates, provision again changes no credential, deprovision removes, deprovision again
 * is a no-op, disable refuses the tenant but keeps the data and enable brings the same credentials
 * back (both idempotent), and the config rules every provider shares. Each provider's test class
 * extends it and supplies the provider, a fresh resource and a look at the backend that does not go
 * through the provider (Strimzi's {@code AdminApiOperatorIT}, Nessie's {@code
 * AbstractPersistTests}).
 */
public abstract class ServiceProviderContract {

  /** The provider under test, talking to a real backend server. */
  protected abstract ServiceProvider provider();

  /**
   * A resource never provisioned yet: a fresh id, the provider's validated default config, placed
   * on one of {@link ServiceProvider#backends()}.
   */
  protected abstract ResourceContext newResource();

  /** The plain variable names a ready resource contributes ({@code DATABASE_URL}, ...). */
  protected abstract Set<String> variableNames();

  /**
   * Whether the resource's real counterpart exists, asked of the backend itself (the database in
   * {@code pg_database}, the ACL user, the bucket, the realm row, the image file).
   */
  protected abstract boolean existsOnBackend(ResourceContext resource) throws Exception;

  /**
   * Whether {@link ServiceProvider#disable} acts on the backend itself, so that {@link
   * #tenantCanUse} can see it. Storage and volumes answer false: their tenants reach the data only
   * through this control plane, which refuses a deleted data service by its own state (tested
   * through the HTTP API), so their disable keeps the backend as it is.
   */
  protected boolean disableActsOnBackend() {
    return true;
  }

  /**
   * Whether the tenant can use the resource with the credentials its variables give (log in, {@code
   * AUTH}, find the realm), asked of the backend without the provider. Needed when {@link
   * #disableActsOnBackend()}.
   */
  protected boolean tenantCanUse(ResourceContext resource) throws Exception {
    throw new IllegalStateException("override tenantCanUse, or disableActsOnBackend to say false");
  }

  /**
   * Writes some tenant data into a provisioned resource (a row, a key), as the tenant would. The
   * default writes nothing.
   */
  protected void writeTenantData(ResourceContext resource) throws Exception {}

  /**
   * Whether the data {@link #writeTenantData} wrote is there, read with the tenant's credentials.
   * The default asks {@link #existsOnBackend}.
   */
  protected boolean tenantDataIsThere(ResourceContext resource) throws Exception {
    return existsOnBackend(resource);
  }

  /**
   * Records a provision result as the {@code Reconciler} does and returns the context the next call
   * sees. The default merges the attributes into {@link ResourceContext#attributes()}, which is
   * what an {@link InMemoryResourceContext} needs; providers tested on stored resources override
   * it.
   */
  protected ResourceContext recorded(ResourceContext resource, ProvisionResult result) {
    resource.attributes().putAll(result.attributes());
    return resource;
  }

  private ResourceContext provisioned(ResourceContext resource) {
    ProvisionResult result = provider().provision(resource);
    assertThat(result.action()).isEqualTo(ProvisionResult.Action.CREATED);
    return recorded(resource, result);
  }

  @Test
  void provisionCreatesTheResourceOnItsBackend() throws Exception {
    ResourceContext resource = newResource();
    assertThat(existsOnBackend(resource)).as("before provision").isFalse();
    provisioned(resource);
    assertThat(existsOnBackend(resource)).as("after provision").isTrue();
  }

  @Test
  void variablesHaveTheContractNamesAndNonBlankValues() {
    Map<String, String> variables = provider().variables(provisioned(newResource()));
    assertThat(variables).containsOnlyKeys(variableNames());
    assertThat(variables.values()).allSatisfy(v -> assertThat(v).isNotBlank());
  }

  @Test
  void provisionAgainKeepsEverySecretAndVariable() throws Exception {
    ResourceContext resource = provisioned(newResource());
    Map<String, String> before = provider().variables(resource);

    WatchedSecrets watched = new WatchedSecrets(resource);
    ProvisionResult again = provider().provision(watched);
    ResourceContext after = recorded(resource, again);

    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(again.action())
        .isIn(ProvisionResult.Action.UPDATED, ProvisionResult.Action.UNCHANGED);
    soft.assertThat(watched.generated()).as("secrets generated again").isZero();
    soft.assertThat(provider().variables(after)).isEqualTo(before);
    soft.assertThat(existsOnBackend(after)).as("still on the backend").isTrue();
    soft.assertAll();
  }

  @Test
  void deprovisionRemovesTheResourceAndAgainIsANoOp() throws Exception {
    ResourceContext resource = provisioned(newResource());
    provider().deprovision(resource);
    assertThat(existsOnBackend(resource)).as("after deprovision").isFalse();
    provider().deprovision(resource); // already gone: no error
    assertThat(existsOnBackend(resource)).isFalse();
  }

  @Test
  void deprovisionOfAResourceNeverProvisionedIsANoOp() throws Exception {
    // A data service deleted while its first provision still fails has nothing on the backend.
    ResourceContext resource = newResource();
    provider().deprovision(resource);
    assertThat(existsOnBackend(resource)).isFalse();
  }

  @Test
  void deprovisionLeavesAnotherResourceOfTheSameBackendAlone() throws Exception {
    ResourceContext doomed = provisioned(newResource());
    ResourceContext kept = provisioned(newResource());
    Map<String, String> keptVariables = provider().variables(kept);

    provider().deprovision(doomed);
    assertThat(existsOnBackend(kept)).isTrue();
    assertThat(provider().variables(kept)).isEqualTo(keptVariables);
  }

  @Test
  void disableRefusesTheTenantKeepsTheDataAndEnableRestoresTheSameCredentials() throws Exception {
    ResourceContext resource = provisioned(newResource());
    Map<String, String> variables = provider().variables(resource);
    writeTenantData(resource);
    if (disableActsOnBackend()) {
      assertThat(tenantCanUse(resource)).as("tenant before disable").isTrue();
    }

    provider().disable(resource);
    provider().disable(resource); // again: no error, no change

    SoftAssertions disabled = new SoftAssertions();
    if (disableActsOnBackend()) {
      disabled.assertThat(tenantCanUse(resource)).as("tenant after disable").isFalse();
    }
    disabled.assertThat(existsOnBackend(resource)).as("kept on the backend").isTrue();
    disabled.assertAll();

    WatchedSecrets watched = new WatchedSecrets(resource);
    provider().enable(watched);
    provider().enable(watched); // again: no error, no change

    SoftAssertions enabled = new SoftAssertions();
    if (disableActsOnBackend()) {
      enabled.assertThat(tenantCanUse(resource)).as("tenant after enable").isTrue();
    }
    enabled.assertThat(tenantDataIsThere(resource)).as("the data after enable").isTrue();
    enabled.assertThat(watched.generated()).as("secrets generated by enable").isZero();
    enabled.assertThat(provider().variables(resource)).as("same credentials").isEqualTo(variables);
    enabled.assertAll();
  }

  @Test
  void aDisabledResourceIsDeprovisionedLikeAnyOther() throws Exception {
    ResourceContext resource = provisioned(newResource());
    provider().disable(resource);
    provider().deprovision(resource);
    assertThat(existsOnBackend(resource)).as("after purge").isFalse();
  }

  @Test
  void disableOfAResourceNeverProvisionedIsANoOp() throws Exception {
    // A data service deleted while its first provision still fails has nothing on the backend.
    ResourceContext resource = newResource();
    provider().disable(resource);
    assertThat(existsOnBackend(resource)).isFalse();
  }

  @Test
  void theDefaultConfigIsValidAndValidatingItAgainChangesNothing() {
    Map<String, Object> defaults = provider().validateConfig(Map.of());
    // The api stores the validated config and validates it again on every change of the plan.
    assertThat(provider().validateConfig(defaults)).isEqualTo(defaults);
  }

  @Test
  void anUnknownConfigSettingIsRefusedNamingIt() {
    assertThatThrownBy(() -> provider().validateConfig(Map.of("noSuchSetting", 1)))
        .isInstanceOfSatisfying(
            InvalidConfigException.class,
            e -> assertThat(e.field()).isEqualTo("config.noSuchSetting"));
  }

  @Test
  void theTypeIsLowercaseAndResourcesArePlacedOnItsBackends() {
    assertThat(provider().type()).matches("[a-z]+");
    assertThat(provider().backends()).isNotEmpty().contains(newResource().backend());
  }

  /** A context that counts how often a secret had to be generated. */
  private static final class WatchedSecrets implements ResourceContext {
    private final ResourceContext delegate;
    private final AtomicInteger generated = new AtomicInteger();

    WatchedSecrets(ResourceContext delegate) {
      this.delegate = delegate;
    }

    int generated() {
      return generated.get();
    }

    @Override
    public Secret secret(String name, Supplier<Secret> generator) {
      return delegate.secret(
          name,
          () -> {
            generated.incrementAndGet();
            return generator.get();
          });
    }

    @Override
    public Optional<Secret> existingSecret(String name) {
      return delegate.existingSecret(name);
    }

    @Override
    public String resourceId() {
      return delegate.resourceId();
    }

    @Override
    public String projectId() {
      return delegate.projectId();
    }

    @Override
    public String projectSlug() {
      return delegate.projectSlug();
    }

    @Override
    public String environmentId() {
      return delegate.environmentId();
    }

    @Override
    public String environmentName() {
      return delegate.environmentName();
    }

    @Override
    public String serviceId() {
      return delegate.serviceId();
    }

    @Override
    public String serviceName() {
      return delegate.serviceName();
    }

    @Override
    public Map<String, Object> config() {
      return delegate.config();
    }

    @Override
    public String backend() {
      return delegate.backend();
    }

    @Override
    public Map<String, String> attributes() {
      return delegate.attributes();
    }

    @Override
    public Optional<String> operationId() {
      return delegate.operationId();
    }
  }
}
