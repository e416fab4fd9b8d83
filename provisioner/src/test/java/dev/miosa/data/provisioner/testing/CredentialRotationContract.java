package dev.miosa.data.provisioner.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.provisioner.spi.CredentialRotation;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What every {@link CredentialRotation} promises, walked against its real backend server: after
 * {@code addNextCredentials} and the promotion both the old and the new credential work; after
 * {@code revokePreviousCredentials} and the removal of {@code previous.*} only the new one does;
 * both steps may run twice; re-provisioning during the grace keeps the old credential working. The
 * promotion and removal are done as the control plane does them, on an {@link
 * InMemoryResourceContext}. Each rotating provider's test class supplies the provider, a fresh
 * resource and a way to try a set of variables against the backend.
 */
public abstract class CredentialRotationContract {

  /** The provider under test; it must implement {@link CredentialRotation}. */
  protected abstract ServiceProvider provider();

  /** A resource never provisioned yet (see {@link ServiceProviderContract#newResource()}). */
  protected abstract InMemoryResourceContext newResource();

  /**
   * Whether the backend accepts the credential in these variables, as a runtime would use them (a
   * Redis login, a signing request, a token check).
   *
   * @param resource the resource, as recorded now
   * @param variables the variables a runtime was given, possibly before a rotation
   */
  protected abstract boolean works(InMemoryResourceContext resource, Map<String, String> variables)
      throws Exception;

  private CredentialRotation rotation() {
    return (CredentialRotation) provider();
  }

  private InMemoryResourceContext provisioned() {
    InMemoryResourceContext resource = newResource();
    resource.attributes().putAll(provider().provision(resource).attributes());
    return resource;
  }

  private Map<String, String> addNextAndPromote(InMemoryResourceContext resource) {
    Map<String, String> next = rotation().addNextCredentials(resource);
    assertThat(next.keySet()).allSatisfy(k -> assertThat(k).startsWith(CredentialRotation.NEXT));
    resource.attributes().putAll(next);
    resource.promoteNext();
    return provider().variables(resource);
  }

  @Test
  void rotateKeepsOldCredentialUntilRevokedThenOnlyTheNewWorks() throws Exception {
    InMemoryResourceContext resource = provisioned();
    Map<String, String> before = provider().variables(resource);
    Map<String, String> after = addNextAndPromote(resource);
    assertThat(after).as("the variables change").isNotEqualTo(before);
    assertThat(works(resource, before)).as("old, during the grace").isTrue();
    assertThat(works(resource, after)).as("new, during the grace").isTrue();

    rotation().revokePreviousCredentials(resource);
    resource.dropPrevious();
    assertThat(works(resource, before)).as("old, after the revoke").isFalse();
    assertThat(works(resource, after)).as("new, after the revoke").isTrue();
  }

  @Test
  void addNextTwiceMakesTheSameCredential() {
    InMemoryResourceContext resource = provisioned();
    Map<String, String> first = rotation().addNextCredentials(resource);
    Map<String, String> second = rotation().addNextCredentials(resource);
    assertThat(second).isEqualTo(first);
  }

  @Test
  void revokeTwiceOrWithoutPreviousIsANoOp() throws Exception {
    InMemoryResourceContext resource = provisioned();
    rotation().revokePreviousCredentials(resource);
    assertThat(works(resource, provider().variables(resource))).isTrue();
    Map<String, String> after = addNextAndPromote(resource);
    rotation().revokePreviousCredentials(resource);
    rotation().revokePreviousCredentials(resource);
    resource.dropPrevious();
    rotation().revokePreviousCredentials(resource);
    assertThat(works(resource, after)).isTrue();
  }

  @Test
  void provisionDuringTheGraceKeepsTheOldCredential() throws Exception {
    InMemoryResourceContext resource = provisioned();
    Map<String, String> before = provider().variables(resource);
    Map<String, String> after = addNextAndPromote(resource);
    resource.attributes().putAll(provider().provision(resource).attributes());
    assertThat(provider().variables(resource)).isEqualTo(after);
    assertThat(works(resource, before)).isTrue();
    assertThat(works(resource, after)).isTrue();
  }
}
