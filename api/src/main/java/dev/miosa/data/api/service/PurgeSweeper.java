package dev.miosa.data.api.service;

import dev.miosa.data.provisioner.Periodic;
import java.util.concurrent.ScheduledExecutorService;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Purges deleted data services and environments whose retention window has closed (and removes
 * deleted projects whose data services are all purged), every {@link
 * DeletionProperties#sweepInterval()}. Every replica runs it; the rows due are claimed with {@code
 * FOR UPDATE SKIP LOCKED} and the purge only moves a {@code disabled} row to {@code deleting}, so a
 * data service is purged once however many replicas sweep. The purge itself is an ordinary
 * deprovision operation (leased, retried, resumed by another replica).
 */
@Component
class PurgeSweeper implements AutoCloseable {

  /** Purges started per table and sweep, so one transaction stays short. */
  static final int BATCH = 50;

  private final ServiceDeletion services;
  private final EnvironmentChanges environments;
  private final ProjectDeletion projects;
  private final DeletionProperties settings;
  private ScheduledExecutorService timer;

  PurgeSweeper(
      ServiceDeletion services,
      EnvironmentChanges environments,
      ProjectDeletion projects,
      DeletionProperties settings) {
    this.services = services;
    this.environments = environments;
    this.projects = projects;
    this.settings = settings;
  }

  @EventListener(ApplicationReadyEvent.class)
  synchronized void start() {
    if (timer == null) {
      timer =
          Periodic.start(
              "miosa-purge-sweeper",
              settings.sweepInterval(),
              settings.sweepInterval(),
              this::sweep);
    }
  }

  /**
   * Starts the purges due now.
   *
   * @return how many data services and environments began their purge
   */
  int sweep() {
    int n = 0;
    int batch;
    do {
      batch = services.purgeDue(BATCH);
      n += batch;
    } while (batch == BATCH);
    do {
      batch = environments.purgeDue(BATCH);
      n += batch;
    } while (batch == BATCH);
    projects.removePurged();
    return n;
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
    }
  }
}
