package dev.miosa.data.api.wiring;

import dev.miosa.data.api.config.EmbeddedServers;
import dev.miosa.data.api.config.RedisProperties;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.LocalRedis;
import dev.miosa.data.provisioner.resource.ResourceRow;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.resource.StoredResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import dev.miosa.data.redis.RedisAclReconciler;
import dev.miosa.data.redis.RedisProvider;
import dev.miosa.data.redis.RedisServer;
import dev.miosa.data.redis.UnavailableRedisProvider;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.event.EventListener;

/**
 * Wires managed Redis: the servers from settings, or the embedded local {@code redis-server}; where
 * neither can be had, a provider that refuses attaching Redis at once. Once the application is
 * ready (migrations applied), the ACL reconciler re-applies every ready tenant user and then
 * watches each server's {@code run_id} for restarts.
 */
@Configuration(proxyBeanMethods = false)
public class RedisWiring {

  private static final Logger log = LoggerFactory.getLogger(RedisWiring.class);

  @Bean
  ServiceProvider redisProvider(RedisProperties props, EmbeddedServers embedded) {
    if (props.embedded()) {
      return embeddedProvider(embedded, dir -> LocalRedis.start(dir, Map.of()));
    }
    return new RedisProvider(servers(props));
  }

  /** Starts a local Redis server under the data directory. */
  interface LocalRedisStarter {
    LocalRedis start(Path dir) throws IOException;
  }

  /**
   * The embedded default's provider: a local {@code redis-server} under {@code <dataDir>/redis},
   * or, where none can be had, one that refuses attaching Redis at once saying why.
   */
  static ServiceProvider embeddedProvider(EmbeddedServers embedded, LocalRedisStarter starter) {
    try {
      LocalRedis redis = starter.start(embedded.dataDir().resolve("redis"));
      embedded.register(redis);
      log.info(
          "embedded Redis server on {}:{} under {}",
          redis.host(),
          redis.port(),
          redis.baseDirectory());
      return new RedisProvider(
          List.of(
              new RedisServer(
                  "local",
                  redis.host(),
                  redis.port(),
                  redis.adminUser(),
                  redis.adminPassword(),
                  false,
                  null,
                  0)));
    } catch (IOException e) {
      log.warn(
          "Redis is not available: {}; attaching Redis will be refused until it is (or MIOSA_REDIS_URL is set)",
          e.getMessage());
      return new UnavailableRedisProvider(e.getMessage());
    }
  }

  static List<RedisServer> servers(RedisProperties props) {
    List<RedisServer> servers = new ArrayList<>();
    if (props.url() != null && !props.url().isBlank()) {
      servers.add(
          RedisServer.parse("redis-1", props.url())
              .withPublicAddress(
                  props.publicHost(), props.publicPort() == null ? 0 : props.publicPort()));
    }
    if (props.servers() != null) {
      for (String entry : props.servers()) {
        int eq = entry.indexOf('=');
        if (eq < 1) {
          throw new IllegalStateException("miosa.redis.servers entries are id=redis://...");
        }
        servers.add(RedisServer.parse(entry.substring(0, eq), entry.substring(eq + 1)));
      }
    }
    return servers;
  }

  @Bean
  RedisAclStarter redisAclStarter(
      @Qualifier("redisProvider") ServiceProvider redisProvider,
      ResourceStore resources,
      SecretCipher cipher,
      RedisProperties props) {
    return new RedisAclStarter(redisProvider, resources, cipher, props);
  }

  /** Starts (and stops) the ACL reconciler of a real Redis provider. */
  static final class RedisAclStarter implements DisposableBean {
    private final ServiceProvider provider;
    private final ResourceStore resources;
    private final SecretCipher cipher;
    private final RedisProperties props;
    private RedisAclReconciler reconciler;

    RedisAclStarter(
        ServiceProvider provider,
        ResourceStore resources,
        SecretCipher cipher,
        RedisProperties props) {
      this.provider = provider;
      this.resources = resources;
      this.cipher = cipher;
      this.props = props;
    }

    @EventListener(ApplicationReadyEvent.class)
    synchronized void start() {
      if (!(provider instanceof RedisProvider redis) || reconciler != null) {
        return;
      }
      reconciler =
          RedisAclReconciler.batched(
              redis,
              () ->
                  resources.readyOfType("redis").stream()
                      .map(r -> new StoredResourceContext(r, resources, cipher, null))
                      .toList(),
              ids ->
                  resources.findAll(ids).stream()
                      .filter(RedisAclStarter::wanted)
                      .map(ResourceRow::id)
                      .collect(java.util.stream.Collectors.toSet()));
      reconciler.start(props.reconcileInterval());
    }

    static boolean wanted(ResourceRow row) {
      return "present".equals(row.desired())
          && !"deleting".equals(row.phase())
          && !"deleted".equals(row.phase());
    }

    @Override
    public synchronized void destroy() {
      if (reconciler != null) {
        reconciler.close();
      }
    }
  }
}
