package dev.miosa.data.provisioner.spi;

import dev.miosa.data.credentials.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a {@link ServiceProvider} knows about the resource it works on: identity, the data service's
 * config, the backend server it was placed on, the attributes recorded so far and its stored
 * secrets.
 */
public interface ResourceContext {

  /** The resource's id (e.g. {@code res_k3x...}); lowercase letters, digits and {@code _}. */
  String resourceId();

  /** The project's id. */
  String projectId();

  /** The project's slug (user-chosen; never use it to build names on a backend). */
  String projectSlug();

  /** The environment's id. */
  String environmentId();

  /** The environment's name ({@code production}, {@code staging}, {@code preview-42}). */
  String environmentName();

  /** The data service's id. */
  String serviceId();

  /** The data service's name ({@code main} by default). */
  String serviceName();

  /** The data service's validated config. */
  Map<String, Object> config();

  /** The id of the backend server this resource is placed on. */
  String backend();

  /** Attributes recorded by earlier provision calls (empty on the first). */
  Map<String, String> attributes();

  /** The id of the operation running this call, or empty outside operations. */
  Optional<String> operationId();

  /**
   * Returns the stored secret of that name, generating and durably storing it first if there is
   * none. The store happens before this method returns, so a crash after it never yields a second,
   * different value on the next attempt.
   *
   * @param name the secret's name within this resource ({@code password})
   * @param generator makes a new value when none is stored
   * @return the stored value
   */
  Secret secret(String name, Supplier<Secret> generator);

  /**
   * Returns the stored secret of that name.
   *
   * @param name the secret's name
   * @return the value, or empty when none was stored
   */
  Optional<Secret> existingSecret(String name);
}
