package dev.miosa.data.api.runtime;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import dev.miosa.data.credentials.EnvFormat;
import dev.miosa.data.provisioner.VariablesResolver;
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
   */
  public record Rendered(Map<String, String> variables, byte[] json, byte[] dotenv, byte[] shell) {

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

  VariablesCache(VariablesResolver resolver, JsonMapper json) {
    this.resolver = resolver;
    this.json = json;
    // After 5 s an entry is reloaded in the background while readers keep getting the current
    // one, so a fleet booting at once never queues behind a reload; unused entries go after 10 min.
    this.cache =
        Caffeine.newBuilder()
            .refreshAfterWrite(Duration.ofSeconds(5))
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(100_000)
            .build(this::render);
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

  /** Drops the cached variables of an environment. */
  public void invalidate(String environmentId) {
    cache.invalidate(environmentId);
  }

  private Rendered render(String environmentId) {
    Map<String, String> vars = resolver.resolve(environmentId);
    return new Rendered(
        vars,
        json.writeValueAsBytes(vars),
        EnvFormat.DOTENV.renderText(vars).getBytes(StandardCharsets.UTF_8),
        EnvFormat.SHELL.renderText(vars).getBytes(StandardCharsets.UTF_8));
  }
}
