package dev.miosa.data.api.rotation;

import dev.miosa.data.api.config.MiosaProperties;
import dev.miosa.data.api.project.Environment;
import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.Project;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.service.DataService;
import dev.miosa.data.api.service.DataServices;
import dev.miosa.data.provisioner.ProviderRegistry;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.resource.ResourceRow;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.rotation.CredentialRotations;
import dev.miosa.data.provisioner.rotation.RotationStore;
import dev.miosa.data.provisioner.spi.CredentialRotation;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.FieldError;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Accepts credential rotations: checks the request against the data service's state and records the
 * rotation with its operation in one transaction.
 *
 * <p>A rotation asked for while an earlier one of the same credentials is still in its grace is
 * accepted: its operation first revokes the earlier previous credential (ending that grace early),
 * so at most two credentials are ever valid. One asked for while an earlier one has not yet
 * promoted its new credential is refused with {@code 409 ROTATION_IN_PROGRESS}.
 */
@Service
class CredentialRotationRequests {

  private final DataServices services;
  private final EnvironmentStore environments;
  private final ResourceStore resources;
  private final RotationStore rotations;
  private final OperationStore operations;
  private final ProviderRegistry registry;
  private final JdbcClient jdbc;
  private final int maxAttempts;

  CredentialRotationRequests(
      DataServices services,
      EnvironmentStore environments,
      ResourceStore resources,
      RotationStore rotations,
      OperationStore operations,
      ProviderRegistry registry,
      JdbcClient jdbc,
      MiosaProperties props) {
    this.services = services;
    this.environments = environments;
    this.resources = resources;
    this.rotations = rotations;
    this.operations = operations;
    this.registry = registry;
    this.jdbc = jdbc;
    this.maxAttempts = props.worker().maxAttempts();
  }

  /**
   * Records a rotation of one environment's credentials of a data service and its operation.
   *
   * @param project the project
   * @param ref the data service's id or {@code type:name}
   * @param environmentName the environment
   * @param graceSeconds 0 to 604800
   * @return the rotate operation (pending)
   * @throws MiosaException 404 {@code SERVICE_NOT_FOUND} / {@code ENVIRONMENT_NOT_FOUND} (naming
   *     {@code environment}); 409 {@code ROTATION_NOT_SUPPORTED} for a type without credentials,
   *     {@code SERVICE_NOT_READY}, {@code ROTATION_IN_PROGRESS}
   */
  @Transactional
  Operation rotate(Project project, String ref, String environmentName, int graceSeconds) {
    DataService s = services.find(project, ref);
    boolean rotates =
        registry.provider(s.type()).filter(CredentialRotation.class::isInstance).isPresent();
    if (!rotates) {
      throw new MiosaException(
          ErrorCode.ROTATION_NOT_SUPPORTED,
          "'" + s.type() + ":" + s.name() + "' has no credentials that can be rotated");
    }
    Environment env =
        environments
            .find(project.id(), environmentName)
            .orElseThrow(
                () ->
                    new MiosaException(
                        ErrorCode.ENVIRONMENT_NOT_FOUND,
                        "no environment '" + ProjectService.printable(environmentName) + "'",
                        List.of(new FieldError("environment", "no such environment"))));
    ResourceRow row =
        resources.ofService(s.id(), env.id()).stream()
            .filter(r -> "ready".equals(r.phase()) && "present".equals(r.desired()))
            .findFirst()
            .orElseThrow(
                () ->
                    new MiosaException(
                        ErrorCode.SERVICE_NOT_READY,
                        "the data service is not ready in '" + env.name() + "'; retry once it is"));
    // Serializes rotation requests of one resource (the unique index would refuse a second anyway).
    jdbc.sql("SELECT id FROM resources WHERE id = :id FOR UPDATE")
        .param("id", row.id())
        .query(String.class)
        .list();
    rotations.abandonFailed(row.id());
    rotations
        .requestedOf(row.id())
        .ifPresent(
            r -> {
              throw new MiosaException(
                  ErrorCode.ROTATION_IN_PROGRESS,
                  "a rotation of these credentials is still running (operation "
                      + r.rotateOperationId()
                      + "); retry once it succeeded");
            });
    String rotationId = RotationStore.newId();
    String op =
        operations.enqueue(
            CredentialRotations.ROTATE,
            project.id(),
            s.id(),
            env.id(),
            Map.of(
                CredentialRotations.PARAM_ROTATION,
                rotationId,
                CredentialRotations.PARAM_RESOURCE,
                row.id()),
            maxAttempts);
    rotations.insert(rotationId, row.id(), project.id(), s.id(), env.id(), op, graceSeconds);
    return operations.find(op).orElseThrow();
  }
}
