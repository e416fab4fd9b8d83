package dev.miosa.data.api.service;

import dev.miosa.data.api.config.MiosaProperties;
import dev.miosa.data.api.project.Environment;
import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.project.ProjectViews.EnvironmentView;
import dev.miosa.data.api.runtime.RuntimeTokenService;
import dev.miosa.data.api.runtime.VariablesCache;
import dev.miosa.data.credentials.VariableNames;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import org.springframework.transaction.support.TransactionSynchronization;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Attaches data services to projects, adds and removes environments, and deletes data services.
 * Every change is recorded with the operation that carries it out in one transaction, so an
 * accepted request is never lost; the worker is woken after commit.
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
  private final VariablesCache cache;
  private final RuntimeTokenService runtimeTokens;
  private final JdbcClient jdbc;
  private final ObjectProvider<DeletionGuard> deletionGuards;
  private final int maxAttempts;

  DataServices(
      DataServiceStore services,
      EnvironmentStore environments,
      ResourceStore resources,
      OperationStore operations,
      OperationWorker worker,
      ProviderRegistry registry,
      VariablesResolver variables,
      VariablesCache cache,
      RuntimeTokenService runtimeTokens,
      JdbcClient jdbc,
      ObjectProvider<DeletionGuard> deletionGuards,
      MiosaProperties props) {
    this.services = services;
    this.environments = environments;
    this.resources = resources;
    this.operations = operations;
    this.worker = worker;
    this.registry = registry;
    this.variables = variables;
    this.cache = cache;
    this.runtimeTokens = runtimeTokens;
    this.jdbc = jdbc;
    this.deletionGuards = deletionGuards;
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
   * Refuses a data service whose variables would carry a name another live data service of the
   * project gives already: names are prefixed by the data service's name, so a postgres service
   * named {@code jdbc} would give {@code JDBC_DATABASE_URL}, which {@code postgres:main} gives.
   * Every provider is asked for its names; the same type and name is left to the insert's {@code
   * SERVICE_CONFLICT}.
   *
   * @throws MiosaException 409 {@code VARIABLE_NAME_CONFLICT} naming both data services
   */
  private void requireDistinctVariables(Project project, ServiceProvider provider, String name) {
    List<String> wanted =
        provider.variableNames().stream().map(v -> VariableNames.prefixFor(name) + v).toList();
    for (DataService other : services.live(project.id())) {
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
   * Finds a live data service by id or {@code type:name}.
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

  /** The live data services of a project. */
  public List<DataServiceView> list(Project project) {
    return services.live(project.id()).stream().map(s -> view(s, null)).toList();
  }

  /**
   * Deletes a data service after confirmation: its resources are deprovisioned by an operation.
   *
   * @param confirm must equal the data service's name
   * @param force override what a {@link DeletionGuard} would refuse (detach attached volumes)
   * @return the view with the operation id
   * @throws MiosaException 400 {@code CONFIRMATION_REQUIRED} naming {@code confirm}; 409 from a
   *     guard ({@code VOLUME_ATTACHED})
   */
  @Transactional
  public DataServiceView delete(Project project, String ref, String confirm, boolean force) {
    DataService s = find(project, ref);
    if (!s.name().equals(confirm)) {
      throw new MiosaException(
          ErrorCode.CONFIRMATION_REQUIRED,
          "deleting a data service destroys its data in every environment; repeat its name in ?confirm="
              + s.name(),
          List.of(new FieldError("confirm", "must equal the data service's name")));
    }
    lockProject(project.id());
    deletionGuards.orderedStream().forEach(g -> g.beforeDelete(s, null, force));
    services.markDeleting(s.id());
    resources.markAbsent(s.id(), null);
    operations.supersede(
        s.id(), Operation.PROVISION, "superseded by the deletion of the data service");
    String op =
        operations.enqueue(
            Operation.DEPROVISION, project.id(), s.id(), null, Map.of(), maxAttempts);
    List<String> envIds = environments.live(project.id()).stream().map(Environment::id).toList();
    afterCommit(() -> envIds.forEach(cache::invalidate));
    wakeWorkerAfterCommit();
    return view(services.byId(project.id(), s.id()).orElse(s), op);
  }

  /**
   * Adds an environment; every active data service is provisioned for it.
   *
   * @return the environment and the operations started
   * @throws MiosaException 409 {@code ENVIRONMENT_EXISTS}
   */
  @Transactional
  public EnvironmentCreated addEnvironment(Project project, String name) {
    lockProject(project.id());
    Environment env =
        environments
            .insert(project.id(), name)
            .orElseThrow(
                () ->
                    new MiosaException(
                        ErrorCode.ENVIRONMENT_EXISTS, "environment '" + name + "' exists"));
    List<String> ops = new ArrayList<>();
    for (DataService s : services.active(project.id())) {
      ServiceProvider provider = registry.provider(s.type()).orElse(null);
      List<String> backends = provider == null ? List.of("default") : provider.backends();
      resources.createIfAbsent(s.id(), env.id(), resources.place(s.type(), backends));
      ops.add(
          operations.enqueue(
              Operation.PROVISION, project.id(), s.id(), env.id(), Map.of(), maxAttempts));
    }
    wakeWorkerAfterCommit();
    return new EnvironmentCreated(EnvironmentView.of(env), ops);
  }

  /**
   * The answer to adding an environment.
   *
   * @param environment the new environment
   * @param operationIds one provision operation per data service
   */
  public record EnvironmentCreated(EnvironmentView environment, List<String> operationIds) {}

  /**
   * Deletes an environment after confirmation, deprovisioning its resources.
   *
   * @param confirm must equal the environment's name
   * @param force override what a {@link DeletionGuard} would refuse (detach attached volumes)
   * @return the operations started
   */
  @Transactional
  public List<String> deleteEnvironment(
      Project project, String name, String confirm, boolean force) {
    Environment env =
        environments
            .find(project.id(), name)
            .orElseThrow(
                () ->
                    new MiosaException(
                        ErrorCode.ENVIRONMENT_NOT_FOUND,
                        "no environment '" + ProjectService.printable(name) + "'"));
    if (!env.name().equals(confirm)) {
      throw new MiosaException(
          ErrorCode.CONFIRMATION_REQUIRED,
          "deleting an environment destroys its data; repeat its name in ?confirm=" + env.name(),
          List.of(new FieldError("confirm", "must equal the environment's name")));
    }
    lockProject(project.id());
    environments.setState(env.id(), "deleting");
    List<String> ops = new ArrayList<>();
    for (DataService s : services.live(project.id())) {
      deletionGuards.orderedStream().forEach(g -> g.beforeDelete(s, env.id(), force));
      if (resources.markAbsent(s.id(), env.id()) > 0) {
        ops.add(
            operations.enqueue(
                Operation.DEPROVISION, project.id(), s.id(), env.id(), Map.of(), maxAttempts));
      }
    }
    if (ops.isEmpty()) {
      environments.setState(env.id(), "deleted");
    }
    afterCommit(
        () -> {
          cache.invalidate(env.id());
          runtimeTokens.invalidateAll();
        });
    wakeWorkerAfterCommit();
    return ops;
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
      anyFailed |= "failed".equals(r.phase());
      anyPending |= !"ready".equals(r.phase());
    }
    String phase =
        switch (s.state()) {
          case "deleting" -> "deleting";
          case "deleted" -> "deleted";
          default -> anyFailed ? "failed" : anyPending ? "provisioning" : "ready";
        };
    return new DataServiceView(
        s.id(), s.type(), s.name(), phase, s.config(), s.createdAt(), envs, operationId);
  }

  private void lockProject(String projectId) {
    jdbc.sql("SELECT id FROM projects WHERE id = :id FOR UPDATE")
        .param("id", projectId)
        .query(String.class)
        .list();
  }

  private void wakeWorkerAfterCommit() {
    afterCommit(worker::wakeUp);
  }

  private static void afterCommit(Runnable r) {
    if (TransactionSynchronizationManager.isSynchronizationActive()) {
      TransactionSynchronizationManager.registerSynchronization(
          new TransactionSynchronization() {
            @Override
            public void afterCommit() {
              r.run();
            }
          });
    } else {
      r.run();
    }
  }
}
