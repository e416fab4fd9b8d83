package dev.miosa.data.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.local.LocalProcesses;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.spi.InvalidConfigException;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.testing.InMemoryResourceContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Admin URLs, tenant URLs and failures that must come at once. */
class RedisSettingsTest {

  @Test
  void adminUrlIsParsedWithEncodedCredentialsAndTls() {
    RedisServer s =
        RedisServer.parse("redis-1", "rediss://ops%40acme:p%2Fw%3A1@redis.internal:6380/3");
    assertThat(s.adminUser()).isEqualTo("ops@acme");
    assertThat(s.adminPassword().reveal()).isEqualTo("p/w:1");
    assertThat(s.host()).isEqualTo("redis.internal");
    assertThat(s.port()).isEqualTo(6380);
    assertThat(s.tls()).isTrue();
    assertThat(s.publicHost()).isEqualTo("redis.internal");
    assertThat(s.toString()).doesNotContain("p/w");

    RedisServer d = RedisServer.parse("redis-1", "redis://:secret@localhost");
    assertThat(d.adminUser()).isEqualTo("default");
    assertThat(d.port()).isEqualTo(6379);
    assertThat(d.withPublicAddress("redis.example.com", 16379).publicPort()).isEqualTo(16379);
  }

  @Test
  void badAdminUrlsAreRefusedWithoutEchoingThePassword() {
    assertThatThrownBy(() -> RedisServer.parse("r", "http://u:hunter2@h:1"))
        .hasMessageContaining("redis://")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> RedisServer.parse("r", "redis://h:1"))
        .hasMessageContaining("password");
  }

  @Test
  void tenantUrlUsesRedissWithTlsAndBracketsIpv6() {
    RedisServer s = new RedisServer("r", "::1", 6380, "admin", Secret.of("x"), true, null, 0);
    assertThat(RedisUrls.variables(s, "t-abc12345", "a b+c", "t-abc12345:"))
        .containsEntry("REDIS_URL", "rediss://t-abc12345:a%20b%2Bc@[::1]:6380/0")
        .containsEntry("REDIS_KEY_PREFIX", "t-abc12345:");
  }

  @Test
  void anUnreachableServerFailsTheAttemptInsteadOfHanging() {
    int closedPort = LocalProcesses.freePort();
    try (RedisProvider provider =
        new RedisProvider(
            List.of(
                new RedisServer(
                    "gone", "127.0.0.1", closedPort, "admin", Secret.of("x"), false, null, 0)))) {
      InMemoryResourceContext res =
          new InMemoryResourceContext(
              Ids.newId("res"), Ids.newId("prj"), "production", "gone", new HashMap<>());
      assertThatThrownBy(() -> provider.provision(res))
          .isInstanceOf(ProvisioningException.class)
          .hasMessageContaining("unreachable")
          .extracting("code")
          .isEqualTo("BACKEND_UNAVAILABLE");
    }
  }

  @Test
  void withoutAnyRedisAttachingFailsAtOnceSayingWhatToDo() {
    var provider =
        new UnavailableRedisProvider(
            "no redis-server found: install it (Debian: apt-get install redis-server)");
    assertThat(provider.type()).isEqualTo("redis");
    assertThatThrownBy(() -> provider.validateConfig(Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("apt-get install redis-server")
        .hasMessageContaining("MIOSA_REDIS_URL")
        .extracting("field")
        .isEqualTo("type");
    assertThatThrownBy(
            () ->
                provider.provision(
                    new InMemoryResourceContext(
                        Ids.newId("res"),
                        Ids.newId("prj"),
                        "production",
                        "local",
                        new HashMap<>())))
        .isInstanceOf(ProvisioningException.class)
        .extracting("code", "retryable")
        .containsExactly(UnavailableRedisProvider.CODE, false);
  }

  @Test
  void namespacesComeFromResourceIdsOnly() {
    TenantAcl acl = TenantAcl.forResource("res_abcdefghij0123456789");
    assertThat(acl.user()).isEqualTo("t-abcdefghij0123456789");
    assertThat(acl.keyPattern()).isEqualTo("t-abcdefghij0123456789:*");
    assertThatThrownBy(() -> TenantAcl.forResource("res_ab*[c]defghij"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
