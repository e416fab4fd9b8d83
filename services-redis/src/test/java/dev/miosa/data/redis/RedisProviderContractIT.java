package dev.miosa.data.redis;

import dev.miosa.data.local.LocalRedis;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import dev.miosa.data.provisioner.testing.ServiceProviderContract;
import io.lettuce.core.RedisException;
import io.lettuce.core.api.StatefulRedisConnection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The provider contract on a real local redis-server: a resource is an ACL user. */
class RedisProviderContractIT extends ServiceProviderContract {

  static RedisProvider provider;
  static StatefulRedisConnection<String, String> admin;

  @BeforeAll
  static void start() {
    LocalRedis redis = TestServers.redis();
    provider = new RedisProvider(List.of(RedisTenants.serverOf("redis-1", redis)));
    admin = RedisTenants.admin(redis);
  }

  @AfterAll
  static void stop() {
    RedisTenants.shutdownAll();
    provider.close();
  }

  @Override
  protected ServiceProvider provider() {
    return provider;
  }

  @Override
  protected ResourceContext newResource() {
    return InMemoryResourceContext.of("production", "redis-1", provider.validateConfig(Map.of()));
  }

  @Override
  protected Set<String> variableNames() {
    return Set.of("REDIS_URL", "REDIS_KEY_PREFIX");
  }

  @Override
  protected boolean existsOnBackend(ResourceContext resource) {
    return admin.sync().aclUsers().contains(TenantAcl.forResource(resource.resourceId()).user());
  }

  @Override
  protected boolean tenantCanUse(ResourceContext resource) {
    try (var c = RedisTenants.clientWithoutReconnect(provider.variables(resource)).connect()) {
      return "PONG".equals(c.sync().ping());
    } catch (RedisException e) {
      return false;
    }
  }

  @Override
  protected void writeTenantData(ResourceContext resource) {
    Map<String, String> vars = provider.variables(resource);
    try (var c = RedisTenants.clientWithoutReconnect(vars).connect()) {
      c.sync().set(vars.get("REDIS_KEY_PREFIX") + "kept", "value");
    }
  }

  @Override
  protected boolean tenantDataIsThere(ResourceContext resource) {
    Map<String, String> vars = provider.variables(resource);
    try (var c = RedisTenants.clientWithoutReconnect(vars).connect()) {
      return "value".equals(c.sync().get(vars.get("REDIS_KEY_PREFIX") + "kept"));
    }
  }
}
