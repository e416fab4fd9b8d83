package dev.miosa.data.api.runtime;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.miosa.data.credentials.EnvFormat;
import dev.miosa.data.provisioner.VariablesResolver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Resolved and rendered variables per environment, so the boot-time env fetch does no decryption
 * and no joins. Entries are invalidated on this replica when the environment changes and are
 * refreshed in the background every few seconds so that changes made by other replicas show up
 * soon.
 */
@Component
public class VariablesCache {

  /**
   * An environment's variables in every format.
   *
   * @param variables name to value
   * @param json the JSON object, UTF-8
   * @param dotenv the dotenv text, UTF-8
   * @param shell the shell text, UTF-8
   * @param version a digest of the variables (hex), the base of each format's entity tag
   */
  public record Rendered(
      Map<String, String> variables, byte[] json, byte[] dotenv, byte[] shell, String version) {

    /** The strong entity tag of a format, quoted: {@code "<version>-<format>"}. */
    public String etag(EnvFormat format) {
      return switch (format) {
        case JSON -> '"' + version + "-json\"";
        case DOTENV -> '"' + version + "-dotenv\"";
        case SHELL -> '"' + version + "-shell\"";
      };
    }

    /** The bytes of a format. */
    public byte[] bytes(EnvFormat format) {
      return switch (format) {
        case JSON -> json;
        case DOTENV -> dotenv;
        case SHELL -> shell;
      };
    }
  }

  private final VariablesResolver resolver;
  private final JsonMapper json;
  private final LoadingCache<String, Rendered> cache;

  VariablesCache(VariablesResolver resolver, JsonMapper json, MeterRegistry registry) {
    this.resolver = resolver;
    this.json = json;
    // After 5 s an entry is reloaded in the background while readers keep getting the current
    // one, so a fleet booting at once never queues behind a reload; unused entries go after 10 min.
    this.cache =
        Caffeine.newBuilder()
            .refreshAfterWrite(Duration.ofSeconds(5))
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(100_000)
            .recordStats()
            .build(this::render);
    // cache.gets{cache="variables",result="hit"|"miss"}, evictions, size.
    CaffeineCacheMetrics.monitor(registry, cache, "variables");
  }

  /**
   * The variables of an environment.
   *
   * @param environmentId the environment
   * @return the rendered variables
   */
  public Rendered get(String environmentId) {
    return cache.get(environmentId);
  }

  /** Whether the environment's variables are in memory (a {@link #get} would not block). */
  public boolean cached(String environmentId) {
    return cache.getIfPresent(environmentId) != null;
  }

  /** Drops the cached variables of an environment. */
  public void invalidate(String environmentId) {
    cache.invalidate(environmentId);
  }

  /** The first 16 bytes of the SHA-256 of the JSON rendering (same variables, same tag). */
  private static String version(byte[] json) {
    try {
      byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(json);
      return java.util.HexFormat.of().formatHex(digest, 0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Rendered render(String environmentId) {
    Map<String, String> vars = resolver.resolve(environmentId);
    byte[] jsonBytes = json.writeValueAsBytes(vars);
    return new Rendered(
        vars,
        jsonBytes,
        EnvFormat.DOTENV.renderText(vars).getBytes(StandardCharsets.UTF_8),
        EnvFormat.SHELL.renderText(vars).getBytes(StandardCharsets.UTF_8),
        version(jsonBytes));
  }
}
