package dev.miosa.data.api.wiring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.api.config.EmbeddedServers;
import dev.miosa.data.api.config.RedisProperties;
import dev.miosa.data.provisioner.spi.InvalidConfigException;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import dev.miosa.data.redis.UnavailableRedisProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedisWiringTest {

  @Test
  void withoutRedisServerTheEmbeddedDefaultRefusesAttachingRedisAtOnce() throws Exception {
    EmbeddedServers embedded = new EmbeddedServers(Files.createTempDirectory("miosa-no-redis"));
    ServiceProvider provider =
        RedisWiring.embeddedProvider(
            embedded,
            dir -> {
              throw new IOException(
                  "no redis-server found: install it (Debian: apt-get install redis-server)");
            });
    assertThat(provider).isInstanceOf(UnavailableRedisProvider.class);
    assertThat(provider.type()).isEqualTo("redis");
    assertThatThrownBy(() -> provider.validateConfig(Map.of()))
        .isInstanceOf(InvalidConfigException.class)
        .hasMessageContaining("apt-get install redis-server")
        .extracting("field")
        .isEqualTo("type");
  }

  @Test
  void serversComeFromTheUrlAndTheListWithPublicAddress() {
    var props =
        new RedisProperties(
            "redis://admin:pw@10.0.0.5:6379",
            "redis.example.com",
            16379,
            List.of("redis-2=rediss://:pw2@10.0.0.6"),
            Duration.ofSeconds(1));
    var servers = RedisWiring.servers(props);
    assertThat(servers).extracting("id").containsExactly("redis-1", "redis-2");
    assertThat(servers.get(0).publicHost()).isEqualTo("redis.example.com");
    assertThat(servers.get(0).publicPort()).isEqualTo(16379);
    assertThat(servers.get(1).tls()).isTrue();
    assertThat(servers.get(1).adminUser()).isEqualTo("default");
    assertThat(props.embedded()).isFalse();
  }
}
