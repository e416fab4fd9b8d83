package dev.miosa.data.api.service;

import dev.miosa.data.api.idempotency.Idempotency;
import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.provisioner.spi.MiosaException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Operator API: data services of a project (api.md). */
@RestController
@Tag(name = "services")
@RequestMapping("/v1/projects/{project}/services")
class DataServiceController {

  private final ProjectService projects;
  private final DataServices services;
  private final ServiceDeletion deletion;
  private final Idempotency idempotency;

  DataServiceController(
      ProjectService projects,
      DataServices services,
      ServiceDeletion deletion,
      Idempotency idempotency) {
    this.projects = projects;
    this.services = services;
    this.deletion = deletion;
    this.idempotency = idempotency;
  }

  @Operation(
      operationId = "attachService",
      summary = "Attach a data service: provision it in every environment")
  @ApiResponse(
      responseCode = "202",
      description = "the data service (phase provisioning) and its operationId",
      content = @Content(schema = @Schema(implementation = DataServiceView.class)))
  @PostMapping
  ResponseEntity<?> attach(
      @PathVariable String project,
      @Valid @RequestBody AttachServiceRequest body,
      @RequestHeader(value = "Idempotency-Key", required = false) String key) {
    Project p = projects.find(project);
    return idempotency.run(
        key,
        "POST /v1/projects/" + p.id() + "/services",
        body,
        () -> {
          DataServiceView view =
              services.attach(p, body.type(), body.nameOrMain(), body.configOrEmpty());
          return ResponseEntity.status(HttpStatus.ACCEPTED)
              .location(URI.create("/v1/projects/" + p.id() + "/services/" + view.id()))
              .body(view);
        });
  }

  @Operation(
      operationId = "listServices",
      summary =
          "List a project's data services: the active ones, or with state=deleted the deleted ones"
              + " not purged yet")
  @GetMapping
  Map<String, List<DataServiceView>> list(
      @PathVariable String project, @RequestParam(defaultValue = "active") String state) {
    Project p = projects.find(project);
    if (!"active".equals(state) && !"deleted".equals(state)) {
      throw MiosaException.invalid("state", "must be active or deleted");
    }
    return Map.of("items", services.list(p, "deleted".equals(state)));
  }

  @Operation(
      operationId = "getService",
      summary = "Get a data service: phases and variable names per environment")
  @GetMapping("/{service}")
  DataServiceView get(@PathVariable String project, @PathVariable String service) {
    Project p = projects.find(project);
    return services.view(services.findShown(p, service), null);
  }

  @Operation(
      operationId = "deleteService",
      summary =
          "Delete a data service: it is disabled in every environment and kept for the retention"
              + " window (undelete by id); with purge=true a deleted one is purged now")
  @ApiResponse(
      responseCode = "202",
      description = "the data service (phase deleted, or deleting when purged) and its operationId")
  @DeleteMapping("/{service}")
  ResponseEntity<DataServiceView> delete(
      @PathVariable String project,
      @PathVariable String service,
      @RequestParam(required = false) String confirm,
      @RequestParam(defaultValue = "false") boolean force,
      @RequestParam(defaultValue = "false") boolean purge) {
    Project p = projects.find(project);
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .body(deletion.delete(p, service, confirm, force, purge));
  }

  @Operation(
      operationId = "undeleteService",
      summary =
          "Undelete a deleted data service by id within its retention window: the same data,"
              + " credentials and variables")
  @ApiResponse(
      responseCode = "202",
      description = "the data service (phase provisioning) and the operation enabling it")
  @PostMapping("/{service}/undelete")
  ResponseEntity<DataServiceView> undelete(
      @PathVariable String project, @PathVariable String service) {
    Project p = projects.find(project);
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(deletion.undelete(p, service));
  }
}
