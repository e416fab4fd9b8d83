package dev.miosa.data.api.volume;

import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.service.DataService;
import dev.miosa.data.api.service.DataServices;
import dev.miosa.data.api.volume.VolumeViews.AttachmentView;
import dev.miosa.data.volumes.Attachment;
import dev.miosa.data.volumes.Volume;
import dev.miosa.data.volumes.VolumeAttachments;
import dev.miosa.data.volumes.Volumes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Operator API: attachments of a volume data service (api.md, "Volumes add"). An instance attaches
 * the volume of its environment, renews its lease and detaches; the operator forces a detach with
 * {@code ?force=true}. {@code ?environment=} picks the volume when an instance holds several of the
 * service's; {@code ?fencingToken=} limits a renew or detach to that attachment.
 */
@RestController
@Tag(name = "volumes")
@RequestMapping("/v1/projects/{project}/services/{service}/attachments")
class VolumeAttachmentController extends VolumeControllerBase {

  VolumeAttachmentController(
      ProjectService projects,
      DataServices services,
      EnvironmentStore environments,
      ObjectProvider<Volumes> volumes) {
    super(projects, services, environments, volumes);
  }

  /**
   * {@code 201} and the mount spec; {@code 200} when the instance holds it already; {@code 409}
   * naming the holder.
   */
  @Operation(
      operationId = "attachVolume",
      summary = "Attach the environment's volume to an instance")
  @ApiResponse(
      responseCode = "201",
      description = "attached: the mount spec; 409 naming the holder")
  @ApiResponse(responseCode = "200", description = "this instance holds it already")
  @PostMapping
  ResponseEntity<AttachmentView> attach(
      @PathVariable String project,
      @PathVariable String service,
      @Valid @RequestBody VolumeRequests.Attach body) {
    DataService s = volumeService(project, service);
    String instanceId = body.instanceId();
    VolumeAttachments.requireInstanceId(instanceId);
    Volume volume = volumes().store().of(s.id(), environment(s, body.environment()).id());
    Attachment a = volumes().attachments().attach(volume.resourceId(), instanceId);
    return ResponseEntity.status(a.created() ? HttpStatus.CREATED : HttpStatus.OK)
        .location(
            URI.create(
                "/v1/projects/"
                    + s.projectId()
                    + "/services/"
                    + s.id()
                    + "/attachments/"
                    + instanceId))
        .body(AttachmentView.of(a));
  }

  /** {@code 200} with the new lease expiry; {@code 409} when the instance no longer holds it. */
  @Operation(
      operationId = "renewAttachment",
      summary = "Renew an attachment's lease; 409 if the instance no longer holds it")
  @PutMapping("/{instanceId}")
  AttachmentView renew(
      @PathVariable String project,
      @PathVariable String service,
      @PathVariable String instanceId,
      @RequestParam(required = false) String environment,
      @RequestParam(required = false) Long fencingToken) {
    DataService s = volumeService(project, service);
    return AttachmentView.of(
        volumes()
            .attachments()
            .renew(s.id(), environmentIdOrNull(s, environment), instanceId, fencingToken));
  }

  /** {@code 204}, also when a late detach of an older attachment changes nothing. */
  @Operation(
      operationId = "detachVolume",
      summary = "Detach an instance (force=true: an operator forces it)")
  @ApiResponse(responseCode = "204", description = "detached, or nothing to change")
  @DeleteMapping("/{instanceId}")
  ResponseEntity<Void> detach(
      @PathVariable String project,
      @PathVariable String service,
      @PathVariable String instanceId,
      @RequestParam(required = false) String environment,
      @RequestParam(required = false) Long fencingToken,
      @RequestParam(defaultValue = "false") boolean force) {
    DataService s = volumeService(project, service);
    volumes()
        .attachments()
        .detach(s.id(), environmentIdOrNull(s, environment), instanceId, fencingToken, force);
    return ResponseEntity.noContent().build();
  }

  /** The current attachments (unexpired leases), optionally of one environment. */
  @Operation(operationId = "listAttachments", summary = "List the current attachments")
  @GetMapping
  Map<String, List<AttachmentView>> list(
      @PathVariable String project,
      @PathVariable String service,
      @RequestParam(required = false) String environment) {
    DataService s = volumeService(project, service);
    return Map.of(
        "items",
        volumes().attachments().current(s.id(), environmentIdOrNull(s, environment)).stream()
            .map(AttachmentView::of)
            .toList());
  }
}
