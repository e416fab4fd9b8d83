package dev.miosa.data.api.volume;

import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.service.DataService;
import dev.miosa.data.api.service.DataServices;
import dev.miosa.data.api.volume.VolumeViews.SnapshotView;
import dev.miosa.data.provisioner.operation.OperationWorker;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.volumes.Snapshot;
import dev.miosa.data.volumes.Volume;
import dev.miosa.data.volumes.Volumes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.validation.Valid;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
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
 * Operator API: snapshots, restores and resizes of a volume data service's volumes. Each starts an
 * operation ({@code 202} with its {@code operationId}, polled at {@code /v1/operations/{id}});
 * requests that cannot succeed are refused first and start nothing.
 */
@RestController
@Tag(name = "volumes")
@RequestMapping("/v1/projects/{project}/services/{service}")
class VolumeMaintenanceController extends VolumeControllerBase {

  private final OperationWorker worker;

  VolumeMaintenanceController(
      ProjectService projects,
      DataServices services,
      EnvironmentStore environments,
      ObjectProvider<Volumes> volumes,
      OperationWorker worker) {
    super(projects, services, environments, volumes);
    this.worker = worker;
  }

  /** {@code 202}: a snapshot of the environment's volume, attached (crash-consistent) or not. */
  @Operation(operationId = "createSnapshot", summary = "Snapshot an environment's volume")
  @ApiResponse(responseCode = "202", description = "the snapshot (pending) and its operation")
  @PostMapping("/snapshots")
  ResponseEntity<SnapshotView> snapshot(
      @PathVariable String project,
      @PathVariable String service,
      @Valid @RequestBody VolumeRequests.Snapshot body) {
    DataService s = volumeService(project, service);
    Volume volume = volumeOf(s, body.environment());
    Snapshot snap = volumes().operations().requestSnapshot(volume.resourceId());
    worker.wakeUp();
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .location(
            URI.create(
                "/v1/projects/"
                    + s.projectId()
                    + "/services/"
                    + s.id()
                    + "/snapshots/"
                    + snap.id()))
        .body(SnapshotView.of(snap));
  }

  /** The snapshots, oldest first, optionally of one environment. */
  @Operation(operationId = "listSnapshots", summary = "List snapshots, oldest first")
  @GetMapping("/snapshots")
  Map<String, List<SnapshotView>> snapshots(
      @PathVariable String project,
      @PathVariable String service,
      @RequestParam(required = false) String environment) {
    DataService s = volumeService(project, service);
    return Map.of(
        "items",
        volumes().snapshots().list(s.id(), environmentIdOrNull(s, environment)).stream()
            .map(SnapshotView::of)
            .toList());
  }

  @Operation(operationId = "getSnapshot", summary = "Get a snapshot")
  @GetMapping("/snapshots/{snapshotId}")
  SnapshotView snapshot(
      @PathVariable String project, @PathVariable String service, @PathVariable String snapshotId) {
    DataService s = volumeService(project, service);
    return volumes()
        .snapshots()
        .find(snapshotId)
        .filter(snap -> snap.serviceId().equals(s.id()) && !"deleted".equals(snap.state()))
        .map(SnapshotView::of)
        .orElseThrow(
            () ->
                new MiosaException(
                    ErrorCode.SNAPSHOT_NOT_FOUND,
                    "no snapshot '"
                        + ProjectService.printable(snapshotId)
                        + "' on this data service"));
  }

  /**
   * {@code 202}: restores a snapshot into its own volume, which must be detached ({@code 409}
   * otherwise). To restore into a new volume, create a volume data service with {@code
   * "config":{"fromSnapshot":"snp_..."}}.
   */
  @Operation(
      operationId = "restoreSnapshot",
      summary = "Restore a snapshot into its own detached volume")
  @ApiResponse(responseCode = "202", description = "restore started")
  @PostMapping("/snapshots/{snapshotId}/restore")
  ResponseEntity<Map<String, Object>> restore(
      @PathVariable String project, @PathVariable String service, @PathVariable String snapshotId) {
    DataService s = volumeService(project, service);
    String op = volumes().operations().requestRestore(s.id(), snapshotId);
    worker.wakeUp();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("snapshotId", snapshotId);
    out.put("operationId", op);
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(out);
  }

  /**
   * {@code 202}: grows the environment's detached volume to {@code sizeGiB}; {@code 400} naming
   * {@code sizeGiB} for a bad size or a shrink, {@code 409} while attached.
   */
  @Operation(operationId = "resizeVolume", summary = "Grow an environment's detached volume")
  @ApiResponse(responseCode = "202", description = "resize started")
  @PostMapping("/resize")
  ResponseEntity<Map<String, Object>> resize(
      @PathVariable String project,
      @PathVariable String service,
      @Valid @RequestBody VolumeRequests.Resize body) {
    DataService s = volumeService(project, service);
    Volume volume = volumeOf(s, body.environment());
    int size = body.sizeGiB();
    String op = volumes().operations().requestResize(volume.resourceId(), size);
    worker.wakeUp();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("environment", volume.environmentName());
    out.put("sizeGiB", size);
    out.put("operationId", op);
    return ResponseEntity.status(HttpStatus.ACCEPTED).body(out);
  }

  private Volume volumeOf(DataService s, String environment) {
    return volumes().store().of(s.id(), environment(s, environment).id());
  }
}
