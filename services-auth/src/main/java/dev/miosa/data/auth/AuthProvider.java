package dev.miosa.data.auth;

import dev.miosa.data.auth.realm.RealmDirectory;
import dev.miosa.data.credentials.Passwords;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.provisioner.spi.CredentialRotation;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Auth realms: for each environment of an auth data service, a realm in the control-plane database
 * (users outlive every VM) with its own random signing secret. The runtime gets {@code AUTH_URL}
 * (the realm's GoTrue-compatible API on this api) and {@code AUTH_JWT_SECRET} (to verify access
 * tokens itself). Staging users are never production users: realms share nothing.
 *
 * <p>The realm id is the resource id. Provisioning stores the secret first ({@link
 * ResourceContext#secret}, reused on every later run) and then upserts the realm row with the plan;
 * deprovisioning deletes the row, and with it the realm's users, sessions and refresh tokens.
 */
public final class AuthProvider implements ServiceProvider, CredentialRotation {

  private static final Logger log = LoggerFactory.getLogger(AuthProvider.class);

  /** The resource secret holding {@code AUTH_JWT_SECRET}. */
  public static final String SECRET_NAME = "jwtSecret";

  /** Attribute: the realm id. */
  public static final String ATTR_REALM = "realmId";

  /** Random bytes of a new signing secret: 48 (384 bits), written as 64 base64url characters. */
  public static final int SECRET_BYTES = 48;

  private final JdbcClient jdbc;
  private final RealmDirectory realms;
  private final AuthSettings settings;
  private final JsonMapper json;

  /**
   * @param jdbc the control-plane database (holds the realm tables)
   * @param realms the runtime's realm cache, evicted on changes
   * @param settings module settings ({@code AUTH_URL} base)
   * @param json mapper for the settings column
   */
  public AuthProvider(
      JdbcClient jdbc, RealmDirectory realms, AuthSettings settings, JsonMapper json) {
    this.jdbc = jdbc;
    this.realms = realms;
    this.settings = settings;
    this.json = json;
  }

  @Override
  public String type() {
    return "auth";
  }

  @Override
  public Map<String, Object> validateConfig(Map<String, Object> config) {
    return AuthConfig.from(config).toMap();
  }

  /**
   * Stores a new {@code AUTH_JWT_SECRET}. Once the control plane promoted it, tokens are signed
   * with it (with its {@code kid}) and tokens of the previous secret still verify until the grace
   * ends; replicas see the change within the realm cache's lifetime.
   *
   * @return no attributes (the realm id does not change)
   */
  @Override
  public Map<String, String> addNextCredentials(ResourceContext resource) {
    resource.secret(
        CredentialRotation.NEXT + SECRET_NAME, () -> Passwords.randomBase64Url(SECRET_BYTES));
    realms.evict(resource.resourceId());
    return Map.of();
  }

  /**
   * Nothing to do beyond the control plane forgetting {@code previous.jwtSecret}: from then on
   * (within the realm cache's lifetime) tokens signed with it are refused; refresh tokens are not
   * signed and keep working, so clients get tokens of the new secret by refreshing.
   */
  @Override
  public void revokePreviousCredentials(ResourceContext resource) {
    realms.evict(resource.resourceId());
  }

  @Override
  public ProvisionResult provision(ResourceContext resource) {
    resource.secret(SECRET_NAME, () -> Passwords.randomBase64Url(SECRET_BYTES));
    String realmId = resource.resourceId();
    String wanted = json.writeValueAsString(AuthConfig.from(resource.config()).toMap());
    Optional<String> stored =
        jdbc.sql("SELECT settings::text FROM auth_realms WHERE id = :id")
            .param("id", realmId)
            .query(String.class)
            .optional();
    ProvisionResult.Action action;
    if (stored.isEmpty()) {
      int n =
          jdbc.sql(
                  """
                  INSERT INTO auth_realms (id, settings) VALUES (:id, CAST(:settings AS jsonb))
                  ON CONFLICT (id) DO NOTHING
                  """)
              .param("id", realmId)
              .param("settings", wanted)
              .update();
      action = n == 1 ? ProvisionResult.Action.CREATED : ProvisionResult.Action.UNCHANGED;
      if (n == 1) {
        log.info("auth realm {} created for environment {}", realmId, resource.environmentName());
      }
    } else if (sameJson(stored.get(), wanted)) {
      action = ProvisionResult.Action.UNCHANGED;
    } else {
      jdbc.sql(
              "UPDATE auth_realms SET settings = CAST(:settings AS jsonb), updated_at = now() WHERE id = :id")
          .param("id", realmId)
          .param("settings", wanted)
          .update();
      action = ProvisionResult.Action.UPDATED;
    }
    realms.evict(realmId);
    return new ProvisionResult(action, Map.of(ATTR_REALM, realmId));
  }

  @Override
  public void deprovision(ResourceContext resource) {
    int n =
        jdbc.sql("DELETE FROM auth_realms WHERE id = :id")
            .param("id", resource.resourceId())
            .update();
    realms.evict(resource.resourceId());
    if (n > 0) {
      log.info("auth realm {} deleted with its users and sessions", resource.resourceId());
    }
  }

  /**
   * Soft delete: the realm answers {@code 404} (it is marked disabled and evicted from this
   * replica's cache; other replicas drop it within their cache lifetime); its users, sessions and
   * signing secret are kept. Idempotent; {@link #enable} undoes it.
   */
  @Override
  public void disable(ResourceContext resource) {
    jdbc.sql(
            "UPDATE auth_realms SET disabled_at = now(), updated_at = now() WHERE id = :id AND disabled_at IS NULL")
        .param("id", resource.resourceId())
        .update();
    realms.evict(resource.resourceId());
  }

  /**
   * Undoes {@link #disable}: the realm answers again, with the same users and signing secret.
   * Idempotent.
   */
  @Override
  public void enable(ResourceContext resource) {
    jdbc.sql(
            "UPDATE auth_realms SET disabled_at = NULL, updated_at = now() WHERE id = :id AND disabled_at IS NOT NULL")
        .param("id", resource.resourceId())
        .update();
    realms.evict(resource.resourceId());
  }

  @Override
  public java.util.List<String> variableNames() {
    return java.util.List.of("AUTH_URL", "AUTH_JWT_SECRET");
  }

  @Override
  public Map<String, String> variables(ResourceContext resource) {
    Secret secret =
        resource
            .existingSecret(SECRET_NAME)
            .orElseThrow(() -> new IllegalStateException("auth resource has no signing secret"));
    Map<String, String> vars = new LinkedHashMap<>();
    vars.put("AUTH_URL", settings.realmUrl(resource.resourceId()));
    vars.put("AUTH_JWT_SECRET", secret.reveal());
    return vars;
  }

  private boolean sameJson(String a, String b) {
    return json.readTree(a).equals(json.readTree(b));
  }
}
