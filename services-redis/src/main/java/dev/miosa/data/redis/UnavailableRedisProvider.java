package dev.miosa.data.redis;

import dev.miosa.data.provisioner.spi.InvalidConfigException;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.util.Map;

/**
 * Stands in for Redis where none can be had (the embedded default on a machine without {@code
 * redis-server}, and no {@code MIOSA_REDIS_URL}): attaching Redis fails at once, at config
 * validation, with an {@link InvalidConfigException} on field {@code type} (the api answers 400, as
 * for a type it does not serve) whose message says what to install or set, instead of queueing an
 * operation that could never succeed.
 */
public final class UnavailableRedisProvider implements ServiceProvider {

  /** The error code of a refused provision (should one be queued by an older replica). */
  public static final String CODE = "REDIS_UNAVAILABLE";

  private final String reason;

  /**
   * @param reason why no Redis is available, shown to the operator (no secrets), e.g. "no
   *     redis-server found: install it (Debian: apt-get install redis-server)"
   */
  public UnavailableRedisProvider(String reason) {
    this.reason = reason;
  }

  @Override
  public String type() {
    return "redis";
  }

  @Override
  public Map<String, Object> validateConfig(Map<String, Object> config) {
    throw new InvalidConfigException("type", message());
  }

  @Override
  public ProvisionResult provision(ResourceContext resource) {
    throw refusal();
  }

  /** Nothing was ever provisioned here, so there is nothing to remove. */
  @Override
  public void deprovision(ResourceContext resource) {}

  @Override
  public java.util.List<String> variableNames() {
    return RedisUrls.NAMES;
  }

  @Override
  public Map<String, String> variables(ResourceContext resource) {
    throw refusal();
  }

  private ProvisioningException refusal() {
    return new ProvisioningException(CODE, message(), false, null);
  }

  private String message() {
    return "Redis is not available on this control plane: " + reason + "; or set MIOSA_REDIS_URL";
  }
}
