package dev.miosa.data.api.config;

import dev.miosa.data.provisioner.operation.OperationWorker;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Starts the operation worker once the application is ready (migrations applied), so that
 * operations left unfinished by a dead replica are resumed as soon as any replica is up.
 */
@Component
class WorkerStarter {

  private final OperationWorker worker;

  WorkerStarter(OperationWorker worker) {
    this.worker = worker;
  }

  @EventListener(ApplicationReadyEvent.class)
  void start() {
    worker.start();
  }
}
