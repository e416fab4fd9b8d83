package dev.miosa.data.api.config;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Redis servers tenant namespaces are placed on ({@code miosa.redis.*}).
 *
 * @param url one server's admin URL ({@code MIOSA_REDIS_URL}, {@code
 *     redis://admin:password@host:6379} or {@code rediss://...}; the user needs {@code ACL}, {@code
 *     CLIENT KILL}, {@code SCAN}, {@code UNLINK} and {@code INFO}); unset and no {@code servers}:
 *     the embedded default starts a local {@code redis-server} under the data directory
 * @param publicHost host given to tenants when it differs from the URL's ({@code
 *     MIOSA_REDIS_PUBLIC_HOST})
 * @param publicPort port given to tenants when it differs ({@code MIOSA_REDIS_PUBLIC_PORT})
 * @param servers further servers as {@code id=url} pairs ({@code
 *     miosa.redis.servers[0]=redis-2=redis://...})
 * @param reconcileInterval how often each server's {@code run_id} is checked, to re-apply the
 *     tenant users after a Redis restart ({@code MIOSA_REDIS_RECONCILE_INTERVAL}, default 1s)
 */
@ConfigurationProperties("miosa.redis")
public record RedisProperties(
    String url,
    String publicHost,
    Integer publicPort,
    List<String> servers,
    @DefaultValue("1s") Duration reconcileInterval) {

  /** Whether no Redis server is configured. */
  public boolean embedded() {
    return (url == null || url.isBlank()) && (servers == null || servers.isEmpty());
  }
}
