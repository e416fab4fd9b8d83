package dev.miosa.data.api.volume;

import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.runtime.RuntimeCaller;
import dev.miosa.data.api.runtime.RuntimeTokenService.RuntimePrincipal;
import dev.miosa.data.api.service.DataService;
import dev.miosa.data.api.service.DataServices;
import dev.miosa.data.api.volume.VolumeViews.AttachmentView;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.volumes.Attachment;
import dev.miosa.data.volumes.Volume;
import dev.miosa.data.volumes.VolumeAttachments;
import dev.miosa.data.volumes.Volumes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Runtime API: an instance attaches, renews and detaches its own volume attachment with its runtime
 * token, so an orchestrator need not hand the admin token to instances. The token decides
 * everything the operator route takes from the request: the project, the environment and the
 * instance id (a token minted without {@code instanceId} gets {@code 403}). {@code {service}} is
 * the volume data service's id or name ({@code volume:main} or {@code main}) in the token's
 * project.
 */
@RestController
@Tag(name = "runtime")
@RequestMapping("/v1/runtime/volumes/{service}/attachment")
class RuntimeVolumeController extends VolumeControllerBase {

  RuntimeVolumeController(
      ProjectService projects,
      DataServices services,
      EnvironmentStore environments,
      ObjectProvider<Volumes> volumes) {
    super(projects, services, environments, volumes);
  }

  /**
   * {@code 201} and the mount spec; {@code 200} when this instance holds it already; {@code 409}
   * naming the holder.
   */
  @Operation(
      operationId = "attachOwnVolume",
      summary = "Attach this instance (the token's) to the volume of the token's environment")
  @ApiResponse(responseCode = "201", description = "attached: the mount spec")
  @PostMapping
  ResponseEntity<AttachmentView> attach(@PathVariable String service) {
    RuntimePrincipal caller = instanceCaller();
    DataService s = volumeService(caller.projectId(), qualified(service));
    Volume volume = volumes().store().of(s.id(), caller.environmentId());
    Attachment a = volumes().attachments().attach(volume.resourceId(), caller.instanceId());
    return ResponseEntity.status(a.created() ? HttpStatus.CREATED : HttpStatus.OK)
        .body(AttachmentView.of(a));
  }

  /** {@code 200} with the new lease expiry; {@code 409} when this instance no longer holds it. */
  @Operation(operationId = "renewOwnAttachment", summary = "Renew this instance's lease")
  @PutMapping
  AttachmentView renew(
      @PathVariable String service, @RequestParam(required = false) Long fencingToken) {
    RuntimePrincipal caller = instanceCaller();
    DataService s = volumeService(caller.projectId(), qualified(service));
    return AttachmentView.of(
        volumes()
            .attachments()
            .renew(s.id(), caller.environmentId(), caller.instanceId(), fencingToken));
  }

  /** {@code 204}; {@code 404} when this instance holds no attachment of it. Never forced. */
  @Operation(operationId = "detachOwnVolume", summary = "Detach this instance (never forced)")
  @ApiResponse(responseCode = "204", description = "detached")
  @DeleteMapping
  ResponseEntity<Void> detach(
      @PathVariable String service, @RequestParam(required = false) Long fencingToken) {
    RuntimePrincipal caller = instanceCaller();
    DataService s = volumeService(caller.projectId(), qualified(service));
    volumes()
        .attachments()
        .detach(s.id(), caller.environmentId(), caller.instanceId(), fencingToken, false);
    return ResponseEntity.noContent().build();
  }

  private static RuntimePrincipal instanceCaller() {
    RuntimePrincipal caller = RuntimeCaller.current();
    if (caller.instanceId() == null) {
      throw new MiosaException(
          ErrorCode.FORBIDDEN,
          "this runtime token names no instance; mint one with instanceId to attach volumes");
    }
    VolumeAttachments.requireInstanceId(caller.instanceId());
    return caller;
  }

  /** A bare name means the volume of that name. */
  private static String qualified(String service) {
    return service.startsWith("svc_") || service.contains(":") ? service : "volume:" + service;
  }
}
