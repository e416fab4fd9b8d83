package dev.miosa.data.api.service;

import dev.miosa.data.api.project.Environment;
import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.project.ProjectViews.EnvironmentView;
import dev.miosa.data.api.runtime.RuntimeTokenService;
import dev.miosa.data.api.runtime.VariablesCache;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.ProviderRegistry;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Adds environments, and soft-deletes, undeletes and purges them, as {@link ServiceDeletion} does
 * for data services: a deleted environment's resources are disabled (data and credentials kept),
 * its runtime tokens and variables stop working, and within the retention window undelete (by id)
 * brings them back; then its resources are deprovisioned.
 */
@Service
public class EnvironmentChanges {

  private static final Logger log = LoggerFactory.getLogger(EnvironmentChanges.class);
  private static final SoftDeletion.Table ENVIRONMENTS = SoftDeletion.Table.ENVIRONMENTS;

  private final DataServices dataServices;
  private final DataServiceStore services;
  private final EnvironmentStore environments;
  private final ResourceStore resources;
  private final OperationStore operations;
  private final ProviderRegistry registry;
  private final VariablesCache cache;
  private final RuntimeTokenService runtimeTokens;
  private final ObjectProvider<DeletionGuard> deletionGuards;
  private final DeletionProperties settings;

  EnvironmentChanges(
      DataServices dataServices,
      DataServiceStore services,
      EnvironmentStore environments,
      ResourceStore resources,
      OperationStore operations,
      ProviderRegistry registry,
      VariablesCache cache,
      RuntimeTokenService runtimeTokens,
      ObjectProvider<DeletionGuard> deletionGuards,
      DeletionProperties settings) {
    this.dataServices = dataServices;
    this.services = services;
    this.environments = environments;
    this.resources = resources;
    this.operations = operations;
    this.registry = registry;
    this.cache = cache;
    this.runtimeTokens = runtimeTokens;
    this.deletionGuards = deletionGuards;
    this.settings = settings;
  }

  /**
   * The answer to adding (or undeleting) an environment.
   *
   * @param environment the environment
   * @param operationIds one provision operation per data service
   */
  public record EnvironmentCreated(EnvironmentView environment, List<String> operationIds) {}

  /**
   * Adds an environment; every active data service is provisioned for it.
   *
   * @return the environment and the operations started
   * @throws MiosaException 409 {@code ENVIRONMENT_EXISTS}
   */
  @Transactional
  public EnvironmentCreated addEnvironment(Project project, String name) {
    dataServices.lockProject(project.id());
    Environment env =
        environments
            .insert(project.id(), name)
            .orElseThrow(
                () ->
                    new MiosaException(
                        ErrorCode.ENVIRONMENT_EXISTS, "environment '" + name + "' exists"));
    return new EnvironmentCreated(EnvironmentView.of(env), provisionActiveServices(project, env));
  }

  private List<String> provisionActiveServices(Project project, Environment env) {
    List<String> ops = new ArrayList<>();
    for (DataService s : services.active(project.id())) {
      ServiceProvider provider = registry.provider(s.type()).orElse(null);
      List<String> backends = provider == null ? List.of("default") : provider.backends();
      resources.createIfAbsent(s.id(), env.id(), resources.place(s.type(), backends));
      ops.add(
          operations.enqueue(
              Operation.PROVISION,
              project.id(),
              s.id(),
              env.id(),
              Map.of(),
              dataServices.maxAttempts()));
    }
    dataServices.wakeWorkerAfterCommit();
    return ops;
  }

  /**
   * Deletes an environment after confirmation: soft by default (its resources disabled, kept for
   * the retention window), for good with {@code purge}.
   *
   * @param ref the environment's name, or with {@code purge} the id of a deleted one
   * @param confirm must equal the environment's name
   * @param force override what a {@link DeletionGuard} would refuse (detach attached volumes)
   * @param purge purge a deleted environment now
   * @return the operations started
   * @throws MiosaException 400 {@code CONFIRMATION_REQUIRED}; 404 {@code ENVIRONMENT_NOT_FOUND};
   *     409 from a guard, or with {@code purge} {@code NOT_DELETED} / {@code ALREADY_PURGED}
   */
  @Transactional
  public List<String> deleteEnvironment(
      Project project, String ref, String confirm, boolean force, boolean purge) {
    if (purge) {
      Environment env = deleted(project, ref);
      SoftDeletion.requireConfirmation(ENVIRONMENTS, env.name(), confirm);
      return startPurge(env);
    }
    Environment env =
        environments
            .find(project.id(), ref)
            .orElseThrow(
                () ->
                    new MiosaException(
                        ErrorCode.ENVIRONMENT_NOT_FOUND,
                        "no environment '" + ProjectService.printable(ref) + "'"));
    SoftDeletion.requireConfirmation(ENVIRONMENTS, env.name(), confirm);
    dataServices.lockProject(project.id());
    for (DataService s : services.active(project.id())) {
      deletionGuards.orderedStream().forEach(g -> g.beforeDelete(s, env.id(), force));
    }
    if (!environments.markDisabled(env.id(), settings.retention())) {
      throw new MiosaException(
          ErrorCode.ENVIRONMENT_NOT_FOUND, "environment " + env.id() + " was deleted meanwhile");
    }
    List<String> ops = new ArrayList<>();
    for (String serviceId : resources.setDesired(null, env.id(), "disabled", false)) {
      ops.add(
          operations.enqueue(
              Operation.DISABLE,
              project.id(),
              serviceId,
              env.id(),
              Map.of(),
              dataServices.maxAttempts()));
    }
    invalidate(env);
    dataServices.wakeWorkerAfterCommit();
    log.info("environment {} deleted; kept until it is purged", env.id());
    return ops;
  }

  /**
   * Brings a deleted environment back within its window: the resources of the active data services
   * are enabled again with the same data and credentials, and its runtime tokens work again.
   *
   * @param id the environment's id
   * @return the environment and the operations enabling it
   * @throws MiosaException 404 {@code ENVIRONMENT_NOT_FOUND}; 409 {@code NOT_DELETED}, {@code
   *     ALREADY_PURGED}, or {@code NAME_TAKEN} while an active environment has its name
   */
  @Transactional
  public EnvironmentCreated undelete(Project project, String id) {
    Environment env = deleted(project, id);
    dataServices.lockProject(project.id());
    SoftDeletion.requireRestorable(ENVIRONMENTS, env.id(), env.state(), env.purgeAt());
    if (environments.find(project.id(), env.name()).isPresent()) {
      throw SoftDeletion.nameTaken(ENVIRONMENTS, env.id(), env.name());
    }
    try {
      if (!environments.markActive(env.id())) {
        throw SoftDeletion.purged(ENVIRONMENTS, env.id(), "its purge began meanwhile");
      }
    } catch (DuplicateKeyException e) {
      throw SoftDeletion.nameTaken(ENVIRONMENTS, env.id(), env.name());
    }
    resources.setDesired(null, env.id(), "present", true);
    List<String> ops = provisionActiveServices(project, env);
    invalidate(env);
    log.info("environment {} undeleted", env.id());
    Environment now = environments.byId(env.id()).orElse(env);
    return new EnvironmentCreated(EnvironmentView.of(now), ops);
  }

  /**
   * Starts the purge of deleted environments whose window has closed, at most {@code limit}, in
   * this transaction; rows another replica holds are skipped.
   *
   * @return how many purges were started
   */
  @Transactional
  public int purgeDue(int limit) {
    List<Environment> due = environments.lockPurgeDue(limit);
    for (Environment env : due) {
      startPurge(env);
      log.info("environment {} purged: its retention window closed at {}", env.id(), env.purgeAt());
    }
    return due.size();
  }

  private List<String> startPurge(Environment env) {
    if (!environments.moveState(env.id(), "disabled", "deleting")) {
      throw SoftDeletion.purged(ENVIRONMENTS, env.id(), "it is already being purged");
    }
    List<String> ops = new ArrayList<>();
    for (String serviceId : resources.markEnvironmentAbsent(env.id())) {
      ops.add(
          operations.enqueue(
              Operation.DEPROVISION,
              env.projectId(),
              serviceId,
              env.id(),
              Map.of(),
              dataServices.maxAttempts()));
    }
    if (ops.isEmpty()) {
      environments.setState(env.id(), "deleted");
    }
    dataServices.wakeWorkerAfterCommit();
    return ops;
  }

  private Environment deleted(Project project, String id) {
    Environment env =
        (Ids.looksLikeId(id) ? environments.byId(id) : java.util.Optional.<Environment>empty())
            .filter(e -> e.projectId().equals(project.id()))
            .orElseThrow(
                () ->
                    new MiosaException(
                        ErrorCode.ENVIRONMENT_NOT_FOUND,
                        "no environment '"
                            + ProjectService.printable(id)
                            + "' in this project (a deleted environment is named by its id)"));
    SoftDeletion.requireDeleted(ENVIRONMENTS, env.id(), env.state());
    return env;
  }

  private void invalidate(Environment env) {
    AfterCommit.run(
        () -> {
          cache.invalidate(env.id());
          runtimeTokens.invalidateAll();
        });
  }
}
