package dev.miosa.data.api.config;

import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the control plane, bound from {@code miosa.*} (environment: {@code MIOSA_*}).
 *
 * @param dataDir where the embedded default keeps its servers, generated master key and admin token
 *     ({@code MIOSA_DATA_DIR}, default {@code ./.miosa})
 * @param databaseUrl the control-plane PostgreSQL ({@code MIOSA_DATABASE_URL}, {@code
 *     postgresql://user:password@host:port/db} or a JDBC URL); unset: a local cluster is started
 *     under the data directory
 * @param masterKey base64 of 32 bytes encrypting secrets at rest ({@code MIOSA_MASTER_KEY});
 *     required with {@code databaseUrl}, generated into the data directory otherwise
 * @param adminToken the operator API's bearer token ({@code MIOSA_ADMIN_TOKEN}); generated and
 *     saved to the data directory when unset
 * @param publicUrl the base URL runtime instances and browsers reach this service at ({@code
 *     MIOSA_PUBLIC_URL}, default {@code http://localhost:<port>})
 * @param worker operation worker tuning
 * @param runtimeTokens runtime token limits
 */
@ConfigurationProperties("miosa")
public record MiosaProperties(
    @DefaultValue(".miosa") Path dataDir,
    String databaseUrl,
    String masterKey,
    String adminToken,
    String publicUrl,
    @DefaultValue Worker worker,
    @DefaultValue RuntimeTokens runtimeTokens) {

  /** Whether the control-plane store is the embedded local cluster. */
  public boolean embeddedStore() {
    return databaseUrl == null || databaseUrl.isBlank();
  }

  /**
   * Operation worker tuning ({@code MIOSA_WORKER_*}).
   *
   * @param threads operations run at once per replica
   * @param pollInterval wait between polls of an empty queue
   * @param lease claim lifetime without renewal (a dead worker's operations are taken over after
   *     it)
   * @param backoffBase delay after a first failed attempt, doubling per attempt
   * @param backoffMax largest delay between attempts
   * @param maxAttempts attempts before an operation ends {@code failed}
   */
  public record Worker(
      @DefaultValue("8") int threads,
      @DefaultValue("500ms") Duration pollInterval,
      @DefaultValue("15s") Duration lease,
      @DefaultValue("1s") Duration backoffBase,
      @DefaultValue("60s") Duration backoffMax,
      @DefaultValue("8") int maxAttempts) {}

  /**
   * Runtime token limits.
   *
   * @param defaultTtl lifetime when the request gives none
   * @param maxTtl longest lifetime accepted
   */
  public record RuntimeTokens(
      @DefaultValue("1h") Duration defaultTtl, @DefaultValue("30d") Duration maxTtl) {}
}
