package dev.miosa.data.api.runtime;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.miosa.data.credentials.Secret;
import dev.miosa.data.credentials.TokenHashes;
import dev.miosa.data.provisioner.Ids;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Mints, checks and revokes runtime tokens: opaque random bearer tokens scoped to one project
 * environment, stored as SHA-256 hashes, with an expiry. Look-ups are cached and refreshed in the
 * background every two seconds; a revocation on this replica takes effect at once, on others within
 * about that time.
 */
@Service
public class RuntimeTokenService {

  /**
   * Who a valid runtime token speaks for.
   *
   * @param tokenId the token's id
   * @param projectId its project
   * @param environmentId its environment
   * @param instanceId its instance, or null
   */
  public record RuntimePrincipal(
      String tokenId, String projectId, String environmentId, String instanceId) {}

  /**
   * A newly minted token; {@link #token()} is shown once and never stored.
   *
   * @param record the stored record
   * @param token the token text
   */
  public record Minted(RuntimeToken record, Secret token) {}

  private final RuntimeTokenRepository repository;
  private final JdbcClient jdbc;
  private final LoadingCache<String, Optional<RuntimeToken>> byHash;

  RuntimeTokenService(RuntimeTokenRepository repository, JdbcClient jdbc) {
    this.repository = repository;
    this.jdbc = jdbc;
    // Reloaded in the background after 2 s (readers never wait for it); a revocation on this
    // replica invalidates at once, on others it shows within the refresh time. Expiry is checked
    // against the token's own expiresAt on every use.
    this.byHash =
        Caffeine.newBuilder()
            .refreshAfterWrite(Duration.ofSeconds(2))
            .expireAfterAccess(Duration.ofMinutes(5))
            .maximumSize(200_000)
            .build(this::load);
  }

  /**
   * Mints a token.
   *
   * @param projectId project
   * @param environmentId environment it may read
   * @param instanceId instance id or null
   * @param ttl lifetime
   * @return the record and the token text
   */
  public Minted mint(String projectId, String environmentId, String instanceId, Duration ttl) {
    Secret token = TokenHashes.newRuntimeToken();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    RuntimeToken record =
        new RuntimeToken(
            Ids.newId("rt"),
            projectId,
            environmentId,
            instanceId,
            TokenHashes.sha256Hex(token.reveal()),
            now.plus(ttl),
            null,
            now);
    repository.insert(record);
    return new Minted(record, token);
  }

  /**
   * Checks a presented token.
   *
   * @param token the bearer token
   * @return the principal when the token exists, is unexpired, unrevoked and its environment is
   *     live
   */
  public Optional<RuntimePrincipal> authenticate(String token) {
    if (!wellFormed(token)) {
      return Optional.empty();
    }
    return valid(byHash.get(TokenHashes.sha256Hex(token)));
  }

  /**
   * The outcome of a look-up that must not block (the runtime listener's event loop).
   *
   * @param cached whether the outcome is known without the store
   * @param principal the principal when the token is valid (empty when not, or not cached)
   */
  public record CachedLookup(boolean cached, Optional<RuntimePrincipal> principal) {
    static final CachedLookup NOT_CACHED = new CachedLookup(false, Optional.empty());
  }

  /**
   * Checks a presented token from memory only: like {@link #authenticate}, but never waits for the
   * store; a token whose look-up is not cached answers {@link CachedLookup#cached()} false.
   *
   * @param token the bearer token
   * @return the outcome
   */
  public CachedLookup authenticateIfCached(String token) {
    if (!wellFormed(token)) {
      return new CachedLookup(true, Optional.empty());
    }
    Optional<RuntimeToken> found = byHash.getIfPresent(TokenHashes.sha256Hex(token));
    return found == null ? CachedLookup.NOT_CACHED : new CachedLookup(true, valid(found));
  }

  private static boolean wellFormed(String token) {
    return token.startsWith(TokenHashes.RUNTIME_TOKEN_PREFIX) && token.length() <= 200;
  }

  private static Optional<RuntimePrincipal> valid(Optional<RuntimeToken> found) {
    return found
        .filter(t -> t.revokedAt() == null && t.expiresAt().isAfter(Instant.now()))
        .map(t -> new RuntimePrincipal(t.id(), t.projectId(), t.environmentId(), t.instanceId()));
  }

  private Optional<RuntimeToken> load(String hash) {
    // One query: the token, only while its environment and project are live.
    return jdbc.sql(
            """
            SELECT t.id, t.project_id, t.environment_id, t.instance_id, t.token_hash, t.expires_at,
                   t.revoked_at, t.created_at
            FROM runtime_tokens t JOIN environments e ON e.id = t.environment_id AND e.state = 'active'
            JOIN projects p ON p.id = t.project_id AND p.deleted_at IS NULL
            WHERE t.token_hash = :hash
            """)
        .param("hash", hash)
        .query(RuntimeToken.class)
        .optional();
  }

  /**
   * Revokes a token.
   *
   * @param id the token id
   * @return false when no such token exists
   */
  public boolean revoke(String id) {
    boolean exists = repository.existsById(id);
    if (exists) {
      repository.revoke(id);
      byHash.invalidateAll();
    }
    return exists;
  }

  /** Forgets cached look-ups (after an environment is deleted). */
  public void invalidateAll() {
    byHash.invalidateAll();
  }
}
