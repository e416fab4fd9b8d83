package dev.miosa.data.api.rotation;

import dev.miosa.data.api.idempotency.Idempotency;
import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.service.OperationController.OperationView;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

/** Operator API: rotating a data service's credentials in one environment (issue 14). */
@RestController
@Tag(name = "services")
class CredentialsController {

  private final ProjectService projects;
  private final CredentialRotationRequests rotations;
  private final Idempotency idempotency;

  CredentialsController(
      ProjectService projects, CredentialRotationRequests rotations, Idempotency idempotency) {
    this.projects = projects;
    this.rotations = rotations;
    this.idempotency = idempotency;
  }

  /**
   * {@code 202} with the rotate operation: new credentials are made valid beside the current ones
   * and handed out from then on; the previous ones keep working for {@code graceSeconds}, then are
   * revoked and their sessions ended.
   */
  @Operation(
      operationId = "rotateCredentials",
      summary = "Rotate a data service's credentials in one environment, with a grace period")
  @ApiResponse(
      responseCode = "202",
      description = "the rotate operation (pending); poll it at Location",
      content = @Content(schema = @Schema(implementation = OperationView.class)))
  @PostMapping("/v1/projects/{project}/services/{service}/credentials/rotate")
  ResponseEntity<?> rotate(
      @PathVariable String project,
      @PathVariable String service,
      @Valid @RequestBody RotateCredentialsRequest body,
      @RequestHeader(value = "Idempotency-Key", required = false) String key) {
    Project p = projects.find(project);
    return idempotency.run(
        key,
        "POST /v1/projects/" + p.id() + "/services/" + service + "/credentials/rotate",
        body,
        () -> {
          var op = rotations.rotate(p, service, body.environment(), body.graceOrDefault());
          return ResponseEntity.status(HttpStatus.ACCEPTED)
              .location(URI.create("/v1/operations/" + op.id()))
              .body(OperationView.of(op));
        });
  }
}
