package dev.miosa.data.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.auth.session.Client;
import dev.miosa.data.provisioner.resource.StoredResourceContext;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The auth provider's lifecycle against a real control-plane database. */
class AuthProviderIT {

  static ControlPlane cp;
  static RealmService service;

  @BeforeAll
  static void start() throws Exception {
    cp = new ControlPlane(AuthSettings.defaults("https://data.example.com/"));
    service = cp.service;
  }

  @Test
  void provisionCreatesARealmWithItsOwnSecretAndVariables() {
    StoredResourceContext res = cp.newResource("production", Map.of());
    ProvisionResult result = cp.provider.provision(res);
    assertThat(result.action()).isEqualTo(ProvisionResult.Action.CREATED);
    assertThat(result.attributes()).containsEntry(AuthProvider.ATTR_REALM, res.resourceId());

    Map<String, String> vars = cp.provider.variables(cp.context(res.resourceId()));
    assertThat(vars).containsOnlyKeys("AUTH_URL", "AUTH_JWT_SECRET");
    assertThat(vars.get("AUTH_URL"))
        .isEqualTo("https://data.example.com/v1/auth/" + res.resourceId());
    byte[] entropy = Base64.getUrlDecoder().decode(vars.get("AUTH_JWT_SECRET"));
    assertThat(entropy.length * 8).isGreaterThanOrEqualTo(256);
    assertThat(cp.realms.find(res.resourceId())).isPresent();
  }

  @Test
  void provisionAgainKeepsTheSecretAndTheUsers() {
    StoredResourceContext res = cp.newResource("production", Map.of());
    cp.provider.provision(res);
    Map<String, String> before = cp.provider.variables(cp.context(res.resourceId()));
    Realm realm = cp.realms.find(res.resourceId()).orElseThrow();
    service.signUp(
        realm, "kept@example.com", null, "correct horse", null, new Client("10.0.0.1", null));

    ProvisionResult again = cp.provider.provision(cp.context(res.resourceId()));
    assertThat(again.action()).isEqualTo(ProvisionResult.Action.UNCHANGED);
    assertThat(cp.provider.variables(cp.context(res.resourceId()))).isEqualTo(before);
    assertThat(cp.count("auth_users", res.resourceId())).isEqualTo(1);
  }

  @Test
  void eachEnvironmentGetsADifferentSecret() {
    Realm production = cp.newRealm("production", Map.of());
    Realm staging = cp.newRealm("staging", Map.of());
    assertThat(production.signingSecret()).isNotEqualTo(staging.signingSecret());
    assertThat(production.issuer()).isNotEqualTo(staging.issuer());
  }

  @Test
  void aChangedPlanIsAppliedOnTheNextProvision() {
    StoredResourceContext res = cp.newResource("production", Map.of());
    cp.provider.provision(res);
    cp.jdbc
        .sql("UPDATE data_services SET config = '{\"passwordMinLength\": 12}' WHERE id = :id")
        .param("id", res.serviceId())
        .update();
    assertThat(cp.provider.provision(cp.context(res.resourceId())).action())
        .isEqualTo(ProvisionResult.Action.UPDATED);
    assertThat(cp.realms.find(res.resourceId()).orElseThrow().config().passwordMinLength())
        .isEqualTo(12);
  }

  @Test
  void deprovisionDeletesUsersAndSessionsAndAgainIsANoOp() {
    StoredResourceContext res = cp.newResource("production", Map.of());
    cp.provider.provision(res);
    Realm realm = cp.realms.find(res.resourceId()).orElseThrow();
    service.signUp(
        realm, "gone@example.com", null, "correct horse", null, new Client("10.0.0.1", null));
    assertThat(cp.count("auth_sessions", realm.id())).isEqualTo(1);

    cp.provider.deprovision(res);
    assertThat(cp.count("auth_users", realm.id())).isZero();
    assertThat(cp.count("auth_sessions", realm.id())).isZero();
    assertThat(cp.count("auth_refresh_tokens", realm.id())).isZero();
    assertThat(cp.realms.find(realm.id())).isEmpty();
    cp.provider.deprovision(res);
  }

  @Test
  void configIsValidatedNamingTheField() {
    assertThat(cp.provider.validateConfig(Map.of()))
        .containsEntry("passwordMinLength", 6)
        .containsEntry("accessTokenTtlSeconds", 3600)
        .containsEntry("refreshTokenReuseIntervalSeconds", 10);
    assertThatThrownBy(() -> cp.provider.validateConfig(Map.of("passwordMinLength", 3)))
        .extracting("field")
        .isEqualTo("config.passwordMinLength");
    assertThatThrownBy(() -> cp.provider.validateConfig(Map.of("accessTokenTtlSeconds", "1h")))
        .hasMessageContaining("integer")
        .extracting("field")
        .isEqualTo("config.accessTokenTtlSeconds");
    assertThatThrownBy(() -> cp.provider.validateConfig(Map.of("mailer", true)))
        .extracting("field")
        .isEqualTo("config.mailer");
  }
}
