package dev.miosa.data.api.service;

import dev.miosa.data.api.config.MiosaProperties;
import dev.miosa.data.api.project.Environment;
import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.credentials.VariableNames;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.ProviderRegistry;
import dev.miosa.data.provisioner.VariablesResolver;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.operation.OperationWorker;
import dev.miosa.data.provisioner.resource.ResourceRow;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Attaches data services to projects, finds, lists and shows them. Deletion, undelete and purge are
 * {@link ServiceDeletion}'s; environments are {@link EnvironmentChanges}'. Every change is recorded
 * with the operation that carries it out in one transaction, so an accepted request is never lost;
 * the worker is woken after commit.
 */
@Service
public class DataServices {

  /** The data service types of design.md. */
  public static final Set<String> KNOWN_TYPES =
      Set.of("postgres", "storage", "redis", "auth", "volume");

  /**
   * Data service and environment names: lowercase letters, digits, inner dashes, 1 to 32
   * characters, as a regular expression (for Bean Validation).
   */
  public static final String NAME_REGEX = "^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$";

  /** What a name that breaks {@link #NAME_REGEX} is told. */
  public static final String NAME_RULE =
      "must be 1 to 32 characters: lowercase letters, digits and dashes, starting with a letter";

  /** {@link #NAME_REGEX} compiled. */
  public static final Pattern NAME = Pattern.compile(NAME_REGEX);

  private final DataServiceStore services;
  private final EnvironmentStore environments;
  private final ResourceStore resources;
  private final OperationStore operations;
  private final OperationWorker worker;
  private final ProviderRegistry registry;
  private final VariablesResolver variables;
  private final int maxAttempts;

  DataServices(
      DataServiceStore services,
      EnvironmentStore environments,
      ResourceStore resources,
      OperationStore operations,
      OperationWorker worker,
      ProviderRegistry registry,
      VariablesResolver variables,
      MiosaProperties props) {
    this.services = services;
    this.environments = environments;
    this.resources = resources;
    this.operations = operations;
    this.worker = worker;
    this.registry = registry;
    this.variables = variables;
    this.maxAttempts = props.worker().maxAttempts();
  }

  /**
   * The provider of a type named in a request.
   *
   * @throws MiosaException 400 naming {@code type} when unknown or not served by this server
   */
  public ServiceProvider providerFor(String type) {
    if (!KNOWN_TYPES.contains(type)) {
      throw MiosaException.invalid(
          "type", "must be one of " + String.join(", ", KNOWN_TYPES.stream().sorted().toList()));
    }
    return registry
        .provider(type)
        .orElseThrow(
            () ->
                MiosaException.invalid(
                    "type",
                    "'"
                        + type
                        + "' data services are not available on this server yet; available: "
                        + registry.types()));
  }

  /**
   * Attaches a data service: a resource per active environment and a provision operation.
   *
   * @throws MiosaException 400 for a bad type or config, 409 {@code SERVICE_CONFLICT} when the name
   *     is taken for the type, 409 {@code VARIABLE_NAME_CONFLICT} when its variables would collide
   *     with another data service's
   */
  @Transactional
  public DataServiceView attach(
      Project project, String type, String name, Map<String, Object> config) {
    ServiceProvider provider = providerFor(type);
    Map<String, Object> validated = provider.validateConfig(project.id(), config);
    lockProject(project.id());
    requireDistinctVariables(project, provider, name);
    DataService s =
        services
            .insert(project.id(), type, name, validated)
            .orElseThrow(
                () ->
                    new MiosaException(
                        ErrorCode.SERVICE_CONFLICT,
                        "the project already has a "
                            + type
                            + " data service named '"
                            + name
                            + "'"));
    for (Environment env : environments.active(project.id())) {
      resources.createIfAbsent(s.id(), env.id(), resources.place(type, provider.backends()));
    }
    String op =
        operations.enqueue(Operation.PROVISION, project.id(), s.id(), null, Map.of(), maxAttempts);
    wakeWorkerAfterCommit();
    return view(s, op);
  }

  /**
   * Refuses a data service whose variables would carry a name another active data service of the
   * project gives already: names are prefixed by the data service's name, so a postgres service
   * named {@code jdbc} would give {@code JDBC_DATABASE_URL}, which {@code postgres:main} gives.
   * Every provider is asked for its names; the same type and name is left to the insert's {@code
   * SERVICE_CONFLICT}.
   *
   * @throws MiosaException 409 {@code VARIABLE_NAME_CONFLICT} naming both data services
   */
  void requireDistinctVariables(Project project, ServiceProvider provider, String name) {
    List<String> wanted =
        provider.variableNames().stream().map(v -> VariableNames.prefixFor(name) + v).toList();
    for (DataService other : services.active(project.id())) {
      if (other.type().equals(provider.type()) && other.name().equals(name)) {
        continue;
      }
      List<String> taken =
          registry.provider(other.type()).map(ServiceProvider::variableNames).orElse(List.of());
      String prefix = VariableNames.prefixFor(other.name());
      for (String variable : wanted) {
        if (taken.stream().anyMatch(t -> variable.equals(prefix + t))) {
          String detail =
              provider.type()
                  + ":"
                  + name
                  + " would give the variable "
                  + variable
                  + ", which "
                  + other.type()
                  + ":"
                  + other.name()
                  + " gives already; choose another name";
          throw new MiosaException(
              ErrorCode.VARIABLE_NAME_CONFLICT, detail, List.of(new FieldError("name", detail)));
        }
      }
    }
  }

  /**
   * Finds an active data service by id or {@code type:name}.
   *
   * @throws MiosaException {@code SERVICE_NOT_FOUND}
   */
  public DataService find(Project project, String ref) {
    int colon = ref.indexOf(':');
    var found =
        colon > 0
            ? services.byTypeAndName(
                project.id(), ref.substring(0, colon), ref.substring(colon + 1))
            : services.byId(project.id(), ref);
    return found.orElseThrow(
        () ->
            new MiosaException(
                ErrorCode.SERVICE_NOT_FOUND,
                "no data service '" + ProjectService.printable(ref) + "' in this project"));
  }

  /**
   * Finds a data service to show: an active one by id or {@code type:name}, or a deleted one (not
   * purged) by id.
   *
   * @throws MiosaException {@code SERVICE_NOT_FOUND}
   */
  public DataService findShown(Project project, String ref) {
    if (Ids.looksLikeId(ref)) {
      var any = services.anyById(project.id(), ref).filter(s -> !"deleted".equals(s.state()));
      if (any.isPresent()) {
        return any.get();
      }
    }
    return find(project, ref);
  }

  /**
   * The data services of a project.
   *
   * @param deleted false for the active ones, true for the deleted ones not purged yet
   */
  public List<DataServiceView> list(Project project, boolean deleted) {
    List<DataService> rows =
        deleted ? services.deleted(project.id()) : services.active(project.id());
    return rows.stream().map(s -> view(s, null)).toList();
  }

  /**
   * The view of a data service.
   *
   * @param s the service
   * @param operationId the operation to report, or null
   */
  public DataServiceView view(DataService s, String operationId) {
    Map<String, DataServiceView.EnvironmentResource> envs = new LinkedHashMap<>();
    boolean anyFailed = false;
    boolean anyPending = false;
    for (ResourceRow r : resources.ofService(s.id(), null)) {
      envs.put(
          r.environmentName(),
          new DataServiceView.EnvironmentResource(r.phase(), variables.names(r), r.error()));
      if ("disabled".equals(r.desired())) {
        continue; // a deleted environment's resource does not hold up the data service's phase
      }
      anyFailed |= "failed".equals(r.phase());
      anyPending |= !"ready".equals(r.phase());
    }
    String phase =
        switch (s.state()) {
          case "disabled" -> "deleted";
          case "deleting" -> "deleting";
          case "deleted" -> "purged";
          default -> anyFailed ? "failed" : anyPending ? "provisioning" : "ready";
        };
    return new DataServiceView(
        s.id(),
        s.type(),
        s.name(),
        phase,
        s.config(),
        s.createdAt(),
        s.deletedAt(),
        s.purgeAt(),
        envs,
        operationId);
  }

  /** Locks the project's row for this transaction (names and environments serialize on it). */
  void lockProject(String projectId) {
    services.lockProject(projectId);
  }

  /** Wakes this replica's worker once the transaction commits. */
  void wakeWorkerAfterCommit() {
    AfterCommit.run(worker::wakeUp);
  }

  /** Attempts an operation of this server gives before it ends failed. */
  int maxAttempts() {
    return maxAttempts;
  }
}
