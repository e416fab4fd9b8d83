package dev.miosa.data.api.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/** Operator API: polling an operation, like the Open Service Broker's last_operation. */
@RestController
@Tag(name = "operations")
public class OperationController {

  private final OperationStore operations;

  OperationController(OperationStore operations) {
    this.operations = operations;
  }

  /**
   * An operation as shown to operators.
   *
   * @param id id
   * @param type type
   * @param state {@code pending | running | succeeded | failed}
   * @param attempts attempts started
   * @param error last error message, if any
   * @param errorCode last error code, if any
   * @param projectId project
   * @param serviceId data service
   * @param createdAt enqueued at
   * @param finishedAt finished at, if finished
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  public record OperationView(
      String id,
      String type,
      String state,
      int attempts,
      String error,
      String errorCode,
      String projectId,
      String serviceId,
      Instant createdAt,
      Instant finishedAt) {
    public static OperationView of(Operation o) {
      return new OperationView(
          o.id(),
          o.type(),
          o.state(),
          o.attempts(),
          o.error(),
          o.errorCode(),
          o.projectId(),
          o.serviceId(),
          o.createdAt(),
          o.finishedAt());
    }
  }

  @io.swagger.v3.oas.annotations.Operation(
      operationId = "getOperation",
      summary = "Poll an asynchronous operation")
  @GetMapping("/v1/operations/{id}")
  OperationView get(@PathVariable String id) {
    return operations
        .find(id)
        .map(OperationView::of)
        .orElseThrow(
            () ->
                new MiosaException(
                    ErrorCode.OPERATION_NOT_FOUND,
                    "no operation '"
                        + dev.miosa.data.api.project.ProjectService.printable(id)
                        + "'"));
  }
}
