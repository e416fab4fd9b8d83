package dev.miosa.data.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.local.LocalRedis;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import dev.miosa.data.provisioner.testing.CredentialRotationContract;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The rotation contract on a real local redis-server: two passwords on one ACL user. */
class RedisCredentialRotationIT extends CredentialRotationContract {

  static RedisProvider provider;

  @BeforeAll
  static void start() {
    provider = new RedisProvider(List.of(RedisTenants.serverOf("redis-1", TestServers.redis())));
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
  protected InMemoryResourceContext newResource() {
    return InMemoryResourceContext.of("production", "redis-1", provider.validateConfig(Map.of()));
  }

  @Override
  protected boolean works(InMemoryResourceContext resource, Map<String, String> variables)
      throws Exception {
    return LocalRedis.authReply(variables.get("REDIS_URL")).startsWith("+OK");
  }

  @Test
  void aRedisRestartDuringTheGraceBringsBackBothPasswords() throws Exception {
    InMemoryResourceContext resource = newResource();
    resource.attributes().putAll(provider.provision(resource).attributes());
    Map<String, String> before = provider.variables(resource);
    provider.addNextCredentials(resource);
    resource.promoteNext();
    Map<String, String> after = provider.variables(resource);
    TenantAcl acl = TenantAcl.forResource(resource.resourceId());
    provider.admin("redis-1").aclDelUser(acl.user()); // what a restart without an ACL file does
    assertThat(works(resource, before)).isFalse();
    provider.reapplyAll("redis-1", List.of(resource));
    assertThat(works(resource, before)).as("old, re-applied").isTrue();
    assertThat(works(resource, after)).as("new, re-applied").isTrue();
  }
}
