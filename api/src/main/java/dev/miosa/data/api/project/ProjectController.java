package dev.miosa.data.api.project;

import dev.miosa.data.api.idempotency.Idempotency;
import dev.miosa.data.api.project.ProjectViews.EnvironmentView;
import dev.miosa.data.api.project.ProjectViews.Page;
import dev.miosa.data.api.project.ProjectViews.ProjectView;
import dev.miosa.data.api.service.EnvironmentChanges;
import dev.miosa.data.api.service.ProjectDeletion;
import dev.miosa.data.api.web.PageCursor;
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

/** Operator API: projects and their environments (api.md). */
@RestController
@Tag(name = "projects")
@RequestMapping("/v1/projects")
class ProjectController {

  private final ProjectService projects;
  private final EnvironmentChanges services;
  private final EnvironmentStore environments;
  private final ProjectDeletion deletion;
  private final Idempotency idempotency;

  ProjectController(
      ProjectService projects,
      EnvironmentChanges services,
      EnvironmentStore environments,
      ProjectDeletion deletion,
      Idempotency idempotency) {
    this.projects = projects;
    this.services = services;
    this.environments = environments;
    this.deletion = deletion;
    this.idempotency = idempotency;
  }

  @Operation(
      operationId = "createProject",
      summary = "Create a project with its environments production and staging")
  @ApiResponse(
      responseCode = "201",
      description = "the project",
      content = @Content(schema = @Schema(implementation = ProjectView.class)))
  @PostMapping
  ResponseEntity<?> create(
      @Valid @RequestBody CreateProjectRequest body,
      @RequestHeader(value = "Idempotency-Key", required = false) String key) {
    return idempotency.run(
        key,
        "POST /v1/projects",
        body,
        () -> {
          ProjectView p =
              projects.create(body.slug(), body.name() == null ? body.slug() : body.name());
          return ResponseEntity.created(URI.create("/v1/projects/" + p.id())).body(p);
        });
  }

  @Operation(operationId = "listProjects", summary = "List projects, a page at a time")
  @GetMapping
  Page<ProjectView> list(
      @RequestParam(required = false) String cursor,
      @RequestParam(defaultValue = "50") String limit) {
    return projects.list(cursor, PageCursor.limit(limit, 100));
  }

  @Operation(operationId = "getProject", summary = "Get a project")
  @GetMapping("/{project}")
  ProjectView get(@PathVariable String project) {
    return projects.view(projects.find(project));
  }

  @Operation(
      operationId = "deleteProject",
      summary =
          "Delete a project: at once without data services; with them, confirm={slug} deletes it"
              + " and its data services softly (undelete within the retention window);"
              + " purge=true purges a deleted one now")
  @ApiResponse(responseCode = "204", description = "deleted (it had no data services)")
  @ApiResponse(
      responseCode = "202",
      description = "deleted with its data services: the operations disabling (or purging) them",
      content = @Content(schema = @Schema(implementation = ProjectDeletion.ProjectDeleted.class)))
  @DeleteMapping("/{project}")
  ResponseEntity<ProjectDeletion.ProjectDeleted> delete(
      @PathVariable String project,
      @RequestParam(required = false) String confirm,
      @RequestParam(defaultValue = "false") boolean force,
      @RequestParam(defaultValue = "false") boolean purge) {
    ProjectDeletion.ProjectDeleted deleted = deletion.delete(project, confirm, force, purge);
    return deleted == null
        ? ResponseEntity.noContent().build()
        : ResponseEntity.status(HttpStatus.ACCEPTED).body(deleted);
  }

  @Operation(
      operationId = "undeleteProject",
      summary =
          "Undelete a deleted project within its retention window, with the data services its"
              + " deletion deleted")
  @ApiResponse(
      responseCode = "202",
      description = "the project and the operations enabling its data services",
      content = @Content(schema = @Schema(implementation = ProjectDeletion.ProjectUndeleted.class)))
  @PostMapping("/{project}/undelete")
  ResponseEntity<ProjectDeletion.ProjectUndeleted> undelete(@PathVariable String project) {
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(deletion.undelete(project));
  }

  @Operation(
      operationId = "listEnvironments",
      summary =
          "List a project's environments: the active ones, or with state=deleted the deleted ones"
              + " not purged yet")
  @GetMapping("/{project}/environments")
  Map<String, List<EnvironmentView>> environments(
      @PathVariable String project, @RequestParam(defaultValue = "active") String state) {
    Project p = projects.find(project);
    if (!"active".equals(state) && !"deleted".equals(state)) {
      throw MiosaException.invalid("state", "must be active or deleted");
    }
    boolean deleted = "deleted".equals(state);
    return Map.of(
        "items",
        environments.live(p.id()).stream()
            .filter(e -> deleted != "active".equals(e.state()))
            .map(EnvironmentView::of)
            .toList());
  }

  @Operation(
      operationId = "createEnvironment",
      summary = "Add an environment; every data service is provisioned for it too")
  @ApiResponse(
      responseCode = "201",
      description = "the environment and the operations provisioning it",
      content =
          @Content(schema = @Schema(implementation = EnvironmentChanges.EnvironmentCreated.class)))
  @PostMapping("/{project}/environments")
  ResponseEntity<?> addEnvironment(
      @PathVariable String project,
      @Valid @RequestBody CreateEnvironmentRequest body,
      @RequestHeader(value = "Idempotency-Key", required = false) String key) {
    Project p = projects.find(project);
    return idempotency.run(
        key,
        "POST /v1/projects/" + p.id() + "/environments",
        body,
        () -> {
          var created = services.addEnvironment(p, body.name());
          return ResponseEntity.created(
                  URI.create("/v1/projects/" + p.id() + "/environments/" + body.name()))
              .body(created);
        });
  }

  @Operation(
      operationId = "deleteEnvironment",
      summary =
          "Delete an environment: its data services are disabled there and kept for the retention"
              + " window (undelete by id); with purge=true a deleted one (named by id) is purged now")
  @ApiResponse(responseCode = "202", description = "disabling (or purging) started")
  @DeleteMapping("/{project}/environments/{env}")
  ResponseEntity<Map<String, Object>> deleteEnvironment(
      @PathVariable String project,
      @PathVariable String env,
      @RequestParam(required = false) String confirm,
      @RequestParam(defaultValue = "false") boolean force,
      @RequestParam(defaultValue = "false") boolean purge) {
    Project p = projects.find(project);
    List<String> ops = services.deleteEnvironment(p, env, confirm, force, purge);
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .body(Map.of("environment", env, "operationIds", ops));
  }

  @Operation(
      operationId = "undeleteEnvironment",
      summary =
          "Undelete a deleted environment by id within its retention window: its data services'"
              + " resources there come back with the same data and credentials")
  @ApiResponse(
      responseCode = "202",
      description = "the environment and the operations enabling it",
      content =
          @Content(schema = @Schema(implementation = EnvironmentChanges.EnvironmentCreated.class)))
  @PostMapping("/{project}/environments/{env}/undelete")
  ResponseEntity<EnvironmentChanges.EnvironmentCreated> undeleteEnvironment(
      @PathVariable String project, @PathVariable String env) {
    Project p = projects.find(project);
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(services.undelete(p, env));
  }
}
