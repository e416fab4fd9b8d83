package dev.miosa.data.provisioner.spi;

import java.util.Map;

/**
 * A type of data service the control plane can provision ({@code postgres}, {@code redis}, ...).
 * The provisioner knows services only through this interface: it calls {@link #provision} and
 * {@link #deprovision} from durable operations, possibly more than once for the same resource
 * (after a crash or a failed attempt), so both must be idempotent: create what is absent, drop what
 * is present, and treat "already there" or "already gone" as success.
 *
 * <p>Implementations are Spring beans; the api discovers every bean of this type.
 */
public interface ServiceProvider {

  /** The data service type served, lowercase (e.g. {@code "postgres"}). */
  String type();

  /**
   * The ids of the backend servers this provider can place resources on; placement picks the one
   * with the fewest live resources. The default is a single backend named {@code default}.
   */
  default java.util.List<String> backends() {
    return java.util.List.of("default");
  }

  /**
   * Validates a data service's config and fills in defaults. The default accepts an empty config
   * and refuses any key.
   *
   * @param config the config as the operator sent it (JSON values: String, Number, Boolean, Map,
   *     List), never null
   * @return the config to store, with defaults applied
   * @throws InvalidConfigException naming the offending field ({@code config.connectionLimit})
   */
  default Map<String, Object> validateConfig(Map<String, Object> config) {
    if (!config.isEmpty()) {
      String key = config.keySet().iterator().next();
      throw new InvalidConfigException("config." + key, "unknown setting");
    }
    return Map.of();
  }

  /**
   * Brings the real resource into existence (or repairs it) for one environment. Re-running it
   * never rotates credentials: secrets come from {@link ResourceContext#secret}, which reuses the
   * stored value.
   *
   * @param resource the resource to reconcile
   * @return the non-secret attributes to record (names, hosts), merged into the stored ones
   * @throws ProvisioningException (or any runtime exception) to fail this attempt; the operation is
   *     retried with backoff
   */
  /**
   * Validates the config of a new data service of a project: as {@link #validateConfig(Map)}, plus
   * the checks that depend on the project (a volume's {@code fromSnapshot} must name a snapshot of
   * the same project).
   *
   * @param projectId the project the data service is attached to
   * @param config the config as sent
   * @return the config as stored, defaults included
   * @throws MiosaException naming the bad field
   */
  default Map<String, Object> validateConfig(String projectId, Map<String, Object> config) {
    return validateConfig(config);
  }

  ProvisionResult provision(ResourceContext resource);

  /**
   * Removes the real resource and its data. A resource that is already gone is a success.
   *
   * @param resource the resource to remove
   */
  void deprovision(ResourceContext resource);

  /**
   * The variables a ready resource contributes, with plain names ({@code DATABASE_URL}); the
   * control plane adds the data service's prefix. Called rarely (results are cached) but must not
   * reach the backend server.
   *
   * @param resource a ready resource
   * @return names to values, in a stable order
   */
  Map<String, String> variables(ResourceContext resource);

  /**
   * The names of every variable a resource of this type may give, before the data service name's
   * prefix ({@code DATABASE_URL}, not {@code ANALYTICS_DATABASE_URL}), whatever its config or
   * backend. The control plane refuses a data service whose prefixed names would equal another's (a
   * postgres service named {@code jdbc} would give {@code JDBC_DATABASE_URL}).
   *
   * @return the plain names
   */
  java.util.List<String> variableNames();

  /**
   * Stops every use of a resource while keeping its data and its credentials, for a soft-deleted
   * data service: logins are refused and open sessions ended (Postgres role {@code NOLOGIN}, Redis
   * ACL user off, storage signing refused, auth realm not found, volume not attachable).
   * Idempotent; a resource that is already disabled is unchanged.
   *
   * @param resource the resource, with its stored secrets and attributes
   * @throws ProvisioningException to fail this attempt (retried with backoff)
   */
  default void disable(ResourceContext resource) {
    throw new ProvisioningException(
        "NOT_SUPPORTED", type() + " resources cannot be disabled yet", false, null);
  }

  /**
   * Undoes {@link #disable}: the same credentials work again and the data is as it was. Idempotent;
   * a resource that was never disabled is unchanged.
   *
   * @param resource the resource
   * @throws ProvisioningException to fail this attempt (retried with backoff)
   */
  default void enable(ResourceContext resource) {
    throw new ProvisioningException(
        "NOT_SUPPORTED", type() + " resources cannot be enabled yet", false, null);
  }
}
