package dev.miosa.data.auth.realm;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.miosa.data.auth.AuthConfig;
import dev.miosa.data.auth.AuthSettings;
import dev.miosa.data.credentials.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Finds realms by id for the runtime API. A found realm is kept in memory for {@link
 * AuthSettings#realmCacheTtl()} so that token checks need no decryption per request; unknown ids
 * are never cached and ids of the wrong shape never reach the database.
 */
public final class RealmDirectory {

  private static final Pattern REALM_ID = Pattern.compile("[a-z]{2,4}_[a-z0-9]{8,40}");
  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final RealmSecrets secrets;
  private final AuthSettings settings;
  private final JsonMapper json;
  private final Cache<String, Realm> cache;

  /**
   * @param jdbc the control-plane database
   * @param secrets where signing secrets are kept
   * @param settings module settings (public URL, cache lifetime)
   * @param json mapper for the settings column
   */
  public RealmDirectory(
      JdbcClient jdbc, RealmSecrets secrets, AuthSettings settings, JsonMapper json) {
    this.jdbc = jdbc;
    this.secrets = secrets;
    this.settings = settings;
    this.json = json;
    this.cache =
        Caffeine.newBuilder()
            .expireAfterWrite(settings.realmCacheTtl())
            .maximumSize(10_000)
            .build();
  }

  /**
   * Looks a realm up.
   *
   * @param realmId the id from the URL (untrusted)
   * @return the realm, or empty when there is none with that id or it is disabled (its data service
   *     deleted)
   */
  public Optional<Realm> find(String realmId) {
    if (realmId == null || !REALM_ID.matcher(realmId).matches()) {
      return Optional.empty();
    }
    Realm cached = cache.getIfPresent(realmId);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<String> stored =
        jdbc.sql("SELECT settings::text FROM auth_realms WHERE id = :id AND disabled_at IS NULL")
            .param("id", realmId)
            .query(String.class)
            .optional();
    if (stored.isEmpty()) {
      return Optional.empty();
    }
    Optional<Secret> secret = secrets.signingSecret(realmId);
    if (secret.isEmpty()) {
      return Optional.empty();
    }
    AuthConfig config = AuthConfig.from(json.readValue(stored.get(), MAP));
    Realm realm =
        new Realm(
            realmId,
            settings.realmUrl(realmId),
            config,
            secret.get(),
            secrets.previousSigningSecret(realmId).orElse(null));
    cache.put(realmId, realm);
    return Optional.of(realm);
  }

  /** Forgets a cached realm (after its settings changed or it was deleted). */
  public void evict(String realmId) {
    cache.invalidate(realmId);
  }
}
