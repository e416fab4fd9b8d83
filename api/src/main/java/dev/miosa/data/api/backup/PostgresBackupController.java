package dev.miosa.data.api.backup;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.miosa.data.api.project.Environment;
import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.service.DataService;
import dev.miosa.data.api.service.DataServices;
import dev.miosa.data.api.wiring.PostgresBackupWiring;
import dev.miosa.data.postgres.backup.Backup;
import dev.miosa.data.postgres.backup.PostgresBackups;
import dev.miosa.data.provisioner.operation.OperationWorker;
import dev.miosa.data.provisioner.resource.ResourceRow;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import dev.miosa.data.provisioner.spi.MiosaException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Operator API: backups of a Postgres data service and restores of them into an environment of the
 * same project.
 */
@RestController
@Tag(name = "backups")
@RequestMapping("/v1/projects/{project}/services/{service}/backups")
class PostgresBackupController {

  private final ProjectService projects;
  private final DataServices services;
  private final EnvironmentStore environments;
  private final ResourceStore resources;
  private final PostgresBackupWiring.Backups backups;
  private final OperationWorker worker;

  PostgresBackupController(
      ProjectService projects,
      DataServices services,
      EnvironmentStore environments,
      ResourceStore resources,
      PostgresBackupWiring.Backups backups,
      OperationWorker worker) {
    this.projects = projects;
    this.services = services;
    this.environments = environments;
    this.resources = resources;
    this.backups = backups;
    this.worker = worker;
  }

  /**
   * A backup as shown to operators.
   *
   * @param id id
   * @param environment the environment it was taken in
   * @param kind {@code scheduled} or {@code manual}
   * @param state {@code pending | running | succeeded | failed}
   * @param createdAt when it was asked for
   * @param scheduledAt the due time of a scheduled backup
   * @param startedAt when the dump started
   * @param finishedAt when it finished
   * @param sizeBytes the archive's size
   * @param sha256 the archive's SHA-256 (hex)
   * @param error the last error
   * @param expiresAt when it is deleted, once its data service is gone
   * @param operationId the operation taking it
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record BackupView(
      String id,
      String environment,
      String kind,
      String state,
      Instant createdAt,
      Instant scheduledAt,
      Instant startedAt,
      Instant finishedAt,
      Long sizeBytes,
      String sha256,
      String error,
      Instant expiresAt,
      String operationId) {
    static BackupView of(Backup b) {
      return new BackupView(
          b.id(),
          b.environmentName(),
          b.kind(),
          b.state(),
          b.createdAt(),
          b.scheduledAt(),
          b.startedAt(),
          b.finishedAt(),
          b.sizeBytes(),
          b.sha256(),
          b.error(),
          b.expiresAt(),
          b.operationId());
    }
  }

  /** {@code 202}: an on-demand backup of one environment's database. */
  @Operation(operationId = "createBackup", summary = "Back up an environment's database now")
  @ApiResponse(responseCode = "202", description = "the backup (pending) and its operationId")
  @PostMapping
  ResponseEntity<BackupView> backup(
      @PathVariable String project,
      @PathVariable String service,
      @Valid @RequestBody BackupRequests.Take body) {
    Project p = projects.find(project);
    DataService s = postgresService(p, service);
    Backup b = backups().requestBackup(resourceOf(s, environment(p, body.environment())));
    worker.wakeUp();
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .location(
            URI.create("/v1/projects/" + p.id() + "/services/" + s.id() + "/backups/" + b.id()))
        .body(BackupView.of(b));
  }

  /**
   * The backups, newest first, optionally of one environment; also of a deleted data service (by
   * id).
   */
  @Operation(operationId = "listBackups", summary = "List backups, newest first")
  @GetMapping
  Map<String, List<BackupView>> list(
      @PathVariable String project,
      @PathVariable String service,
      @RequestParam(required = false) String environment) {
    Project p = projects.find(project);
    String serviceId = serviceIdWithBackups(p, service);
    return Map.of(
        "items", backups().list(serviceId, environment).stream().map(BackupView::of).toList());
  }

  @Operation(operationId = "getBackup", summary = "Get a backup")
  @GetMapping("/{backupId}")
  BackupView get(
      @PathVariable String project, @PathVariable String service, @PathVariable String backupId) {
    Project p = projects.find(project);
    String serviceId = serviceIdWithBackups(p, service);
    return backups()
        .find(backupId)
        .filter(b -> b.projectId().equals(p.id()) && b.serviceId().equals(serviceId))
        .map(BackupView::of)
        .orElseThrow(() -> notFound(backupId));
  }

  /**
   * {@code 202}: replaces the database of {@code environment} (of this data service) with a backup
   * of any Postgres data service of the same project, after {@code confirm} repeats the
   * environment's name.
   */
  @Operation(
      operationId = "restoreBackup",
      summary = "Replace an environment's database with a backup")
  @ApiResponse(responseCode = "202", description = "restore started")
  @PostMapping("/{backupId}/restore")
  ResponseEntity<Map<String, Object>> restore(
      @PathVariable String project,
      @PathVariable String service,
      @PathVariable String backupId,
      @Valid @RequestBody BackupRequests.Restore body) {
    Project p = projects.find(project);
    DataService s = postgresService(p, service);
    Backup backup =
        backups()
            .find(backupId)
            .filter(b -> b.projectId().equals(p.id()))
            .orElseThrow(() -> notFound(backupId));
    Environment target = environment(p, body.environment());
    if (!target.name().equals(body.confirm())) {
      throw new MiosaException(
          ErrorCode.CONFIRMATION_REQUIRED,
          "restoring replaces every table of the '"
              + target.name()
              + "' database with the backup's; repeat the environment's name in \"confirm\"",
          List.of(new FieldError("confirm", "must equal the target environment's name")));
    }
    String op = backups().requestRestore(backup, resourceOf(s, target));
    worker.wakeUp();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("backupId", backup.id());
    out.put("environment", target.name());
    out.put("operationId", op);
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(out);
  }

  private PostgresBackups backups() {
    return backups
        .backups()
        .orElseThrow(() -> new MiosaException(ErrorCode.UNAVAILABLE, backups.unavailable()));
  }

  private DataService postgresService(Project p, String ref) {
    DataService s = services.find(p, ref);
    if (!"postgres".equals(s.type())) {
      throw new MiosaException(
          ErrorCode.SERVICE_NOT_FOUND,
          "'"
              + s.type()
              + ":"
              + s.name()
              + "' is not a postgres data service; only postgres has backups");
    }
    return s;
  }

  /** A live postgres service's id, or the id of a deleted one whose backups are still kept. */
  private String serviceIdWithBackups(Project p, String ref) {
    try {
      return postgresService(p, ref).id();
    } catch (MiosaException e) {
      if (e.code() == ErrorCode.SERVICE_NOT_FOUND && backups().hasBackups(p.id(), ref)) {
        return ref;
      }
      throw e;
    }
  }

  private Environment environment(Project p, String name) {
    return environments
        .find(p.id(), name)
        .orElseThrow(
            () ->
                new MiosaException(
                    ErrorCode.ENVIRONMENT_NOT_FOUND,
                    "no environment '" + ProjectService.printable(name) + "'"));
  }

  private ResourceRow resourceOf(DataService s, Environment env) {
    return resources.ofService(s.id(), env.id()).stream()
        .findFirst()
        .orElseThrow(
            () ->
                new MiosaException(
                    ErrorCode.DATABASE_NOT_READY,
                    "the data service has no database in '" + env.name() + "' yet"));
  }

  private static MiosaException notFound(String backupId) {
    return new MiosaException(
        ErrorCode.BACKUP_NOT_FOUND,
        "no backup '" + ProjectService.printable(backupId) + "' in this project");
  }
}
