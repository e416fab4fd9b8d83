package dev.miosa.data.provisioner;

import dev.miosa.data.provisioner.spi.OperationHandler;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The service providers and operation handlers this replica has, by type. */
public final class ProviderRegistry {

  private final Map<String, ServiceProvider> providers;
  private final Map<String, OperationHandler> handlers;

  /**
   * @param providers one provider per data service type
   * @param handlers one handler per service-specific operation type
   * @throws IllegalArgumentException if two share a type
   */
  public ProviderRegistry(
      Collection<ServiceProvider> providers, Collection<OperationHandler> handlers) {
    this.providers =
        providers.stream()
            .collect(
                Collectors.toMap(
                    ServiceProvider::type,
                    Function.identity(),
                    (a, b) -> {
                      throw new IllegalArgumentException("two providers of type " + a.type());
                    },
                    TreeMap::new));
    this.handlers =
        handlers.stream()
            .collect(
                Collectors.toMap(
                    OperationHandler::operationType,
                    Function.identity(),
                    (a, b) -> {
                      throw new IllegalArgumentException("two handlers of " + a.operationType());
                    },
                    TreeMap::new));
  }

  /** The provider of a type, if this replica has one. */
  public Optional<ServiceProvider> provider(String type) {
    return Optional.ofNullable(providers.get(type));
  }

  /** The handler of an operation type, if any. */
  public Optional<OperationHandler> handler(String operationType) {
    return Optional.ofNullable(handlers.get(operationType));
  }

  /** The types served, sorted. */
  public Collection<String> types() {
    return providers.keySet();
  }
}
