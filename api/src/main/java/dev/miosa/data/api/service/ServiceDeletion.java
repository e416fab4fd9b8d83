package dev.miosa.data.api.service;

import dev.miosa.data.api.project.Environment;
import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.runtime.VariablesCache;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.event.ServicePhases;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Soft delete, undelete and purge of data services (issue 15). Deleting disables the data service
 * in every environment (its provider switches each resource off, keeping data and credentials) and
 * keeps it for {@link DeletionProperties#retention()}; within that window it can be undeleted by
 * id, with the same data, credentials and variables; then, or when asked, it is purged: its
 * resources are deprovisioned, as a delete did before.
 *
 * <p>Each change is a state change of the data service and its resources written with the operation
 * that carries it out in one transaction; the {@code Reconciler} then disables, enables or
 * deprovisions idempotently. A crash at any point leaves the data service in a state it can be
 * undeleted or purged from: nothing is deprovisioned before the state says {@code deleting}.
 */
@Service
public class ServiceDeletion {

  private static final Logger log = LoggerFactory.getLogger(ServiceDeletion.class);
  private static final SoftDeletion.Table SERVICES = SoftDeletion.Table.DATA_SERVICES;

  private final DataServices dataServices;
  private final DataServiceStore services;
  private final EnvironmentStore environments;
  private final ResourceStore resources;
  private final OperationStore operations;
  private final VariablesCache cache;
  private final ObjectProvider<DeletionGuard> deletionGuards;
  private final DeletionProperties settings;
  private final ServicePhases phases;

  ServiceDeletion(
      DataServices dataServices,
      DataServiceStore services,
      EnvironmentStore environments,
      ResourceStore resources,
      OperationStore operations,
      VariablesCache cache,
      ObjectProvider<DeletionGuard> deletionGuards,
      DeletionProperties settings,
      ServicePhases phases) {
    this.dataServices = dataServices;
    this.services = services;
    this.environments = environments;
    this.resources = resources;
    this.operations = operations;
    this.cache = cache;
    this.deletionGuards = deletionGuards;
    this.settings = settings;
    this.phases = phases;
  }

  /**
   * Deletes a data service after confirmation: soft by default, for good with {@code purge}.
   *
   * @param ref the data service's id or {@code type:name}; with {@code purge}, the id of a deleted
   *     one (its name may be taken again)
   * @param confirm must equal the data service's name
   * @param force override what a {@link DeletionGuard} would refuse (detach attached volumes)
   * @param purge purge a deleted data service now instead of at its {@code purgeAt}
   * @return the view with the operation id
   * @throws MiosaException 400 {@code CONFIRMATION_REQUIRED} naming {@code confirm}; 404 {@code
   *     SERVICE_NOT_FOUND}; 409 from a guard ({@code VOLUME_ATTACHED}); with {@code purge}, 409
   *     {@code NOT_DELETED} for an active data service and {@code ALREADY_PURGED} for a purged one
   */
  @Transactional
  public DataServiceView delete(
      Project project, String ref, String confirm, boolean force, boolean purge) {
    if (purge) {
      return purge(project, ref, confirm);
    }
    DataService s = dataServices.find(project, ref);
    SoftDeletion.requireConfirmation(SERVICES, s.name(), confirm);
    dataServices.lockProject(project.id());
    deletionGuards.orderedStream().forEach(g -> g.beforeDelete(s, null, force));
    if (!services.markDisabled(s.id(), settings.retention())) {
      // deleted by a concurrent request since it was read: one delete, one disable operation
      throw new MiosaException(
          ErrorCode.SERVICE_NOT_FOUND, "data service " + s.id() + " was deleted meanwhile");
    }
    resources.setDesired(s.id(), null, "disabled", false);
    operations.supersede(
        s.id(), Operation.PROVISION, "superseded by the deletion of the data service");
    String op =
        operations.enqueue(
            Operation.DISABLE, project.id(), s.id(), null, Map.of(), dataServices.maxAttempts());
    invalidateVariables(project);
    dataServices.wakeWorkerAfterCommit();
    phases.check(s.id());
    log.info("data service {} deleted; kept until it is purged", s.id());
    return dataServices.view(services.anyById(project.id(), s.id()).orElse(s), op);
  }

  private DataServiceView purge(Project project, String ref, String confirm) {
    DataService s = deleted(project, ref);
    SoftDeletion.requireConfirmation(SERVICES, s.name(), confirm);
    String op = startPurge(s);
    return dataServices.view(services.anyById(project.id(), s.id()).orElse(s), op);
  }

  /**
   * Brings a deleted data service back within its window: the same data, credentials and variables.
   *
   * @param id the data service's id
   * @return the view with the operation enabling it again
   * @throws MiosaException 404 {@code SERVICE_NOT_FOUND}; 409 {@code NOT_DELETED} when it is
   *     active, {@code ALREADY_PURGED} once its purge began, {@code NAME_TAKEN} while an active
   *     data service holds its type and name, {@code VARIABLE_NAME_CONFLICT} when another's
   *     variables would collide with its own
   */
  @Transactional
  public DataServiceView undelete(Project project, String id) {
    DataService s = deleted(project, id);
    dataServices.lockProject(project.id());
    SoftDeletion.requireRestorable(SERVICES, s.id(), s.state(), s.purgeAt());
    if (services.byTypeAndName(project.id(), s.type(), s.name()).isPresent()) {
      throw nameTaken(s);
    }
    dataServices.requireDistinctVariables(project, dataServices.providerFor(s.type()), s.name());
    try {
      if (!services.markActive(s.id())) {
        // a purge (which takes no project lock) moved it on since it was read
        throw SoftDeletion.purged(SERVICES, s.id(), "its purge began meanwhile");
      }
    } catch (DuplicateKeyException e) {
      throw nameTaken(s);
    }
    resources.setDesired(s.id(), null, "present", true);
    // An environment added while the data service was deleted has no resource for it yet.
    for (Environment env : environments.active(project.id())) {
      resources.createIfAbsent(
          s.id(),
          env.id(),
          resources.place(s.type(), dataServices.providerFor(s.type()).backends()));
    }
    String op =
        operations.enqueue(
            Operation.PROVISION, project.id(), s.id(), null, Map.of(), dataServices.maxAttempts());
    invalidateVariables(project);
    dataServices.wakeWorkerAfterCommit();
    phases.check(s.id());
    log.info("data service {} undeleted", s.id());
    return dataServices.view(services.anyById(project.id(), s.id()).orElse(s), op);
  }

  /**
   * Starts the purge of every deleted data service whose window has closed, at most {@code limit}
   * of them, in this transaction. Rows another replica is purging are skipped.
   *
   * @return how many purges were started
   */
  @Transactional
  public int purgeDue(int limit) {
    List<DataService> due = services.lockPurgeDue(limit);
    for (DataService s : due) {
      startPurge(s);
      log.info("data service {} purged: its retention window closed at {}", s.id(), s.purgeAt());
    }
    return due.size();
  }

  private String startPurge(DataService s) {
    if (!services.markDeleting(s.id())) {
      throw SoftDeletion.purged(SERVICES, s.id(), "it is already being purged");
    }
    resources.markAbsent(s.id(), null);
    phases.check(s.id());
    String op =
        operations.enqueue(
            Operation.DEPROVISION,
            s.projectId(),
            s.id(),
            null,
            Map.of(),
            dataServices.maxAttempts());
    dataServices.wakeWorkerAfterCommit();
    return op;
  }

  /** A data service by id that is deleted and not purged. */
  private DataService deleted(Project project, String id) {
    DataService s =
        (Ids.looksLikeId(id) ? services.anyById(project.id(), id) : Optional.<DataService>empty())
            .orElseThrow(
                () ->
                    new MiosaException(
                        ErrorCode.SERVICE_NOT_FOUND,
                        "no data service '"
                            + ProjectService.printable(id)
                            + "' in this project (a deleted data service is named by its id)"));
    SoftDeletion.requireDeleted(SERVICES, s.id(), s.state());
    return s;
  }

  private static MiosaException nameTaken(DataService s) {
    return SoftDeletion.nameTaken(SERVICES, s.id(), s.type() + ":" + s.name());
  }

  private void invalidateVariables(Project project) {
    List<String> envIds = environments.live(project.id()).stream().map(Environment::id).toList();
    AfterCommit.run(() -> envIds.forEach(cache::invalidate));
  }
}
