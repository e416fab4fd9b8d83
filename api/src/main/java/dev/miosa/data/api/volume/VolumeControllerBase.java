package dev.miosa.data.api.volume;

import dev.miosa.data.api.project.Environment;
import dev.miosa.data.api.project.EnvironmentStore;
import dev.miosa.data.api.project.ProjectService;
import dev.miosa.data.api.service.DataService;
import dev.miosa.data.api.service.DataServices;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import dev.miosa.data.volumes.Volumes;
import org.springframework.beans.factory.ObjectProvider;

/**
 * What the volume endpoints share: finding the volume data service and environment a request names.
 * Refused volume requests are {@link MiosaException}s whose problem details list the holders
 * ({@code holders}); the application's one error handler renders them.
 */
abstract class VolumeControllerBase {

  private final ProjectService projects;
  private final DataServices services;
  private final EnvironmentStore environments;
  private final ObjectProvider<Volumes> volumes;

  VolumeControllerBase(
      ProjectService projects,
      DataServices services,
      EnvironmentStore environments,
      ObjectProvider<Volumes> volumes) {
    this.projects = projects;
    this.services = services;
    this.environments = environments;
    this.volumes = volumes;
  }

  /**
   * The volume service of this replica.
   *
   * @throws MiosaException 503 when this replica has no e2fsprogs
   */
  Volumes volumes() {
    Volumes v = volumes.getIfAvailable();
    if (v == null) {
      throw new MiosaException(
          ErrorCode.UNAVAILABLE, "this server cannot serve volumes: e2fsprogs is not installed");
    }
    return v;
  }

  /**
   * The volume data service a path names.
   *
   * @throws MiosaException 404 for an unknown project or service, or one of another type
   */
  DataService volumeService(String project, String service) {
    DataService s = services.find(projects.find(project), service);
    if (!"volume".equals(s.type())) {
      throw new MiosaException(
          ErrorCode.VOLUME_NOT_FOUND,
          "'"
              + s.type()
              + ":"
              + s.name()
              + "' is not a volume; attachments, snapshots and resizes exist only for volumes");
    }
    return s;
  }

  /**
   * A live environment of the service's project by name.
   *
   * @throws MiosaException 404 {@code ENVIRONMENT_NOT_FOUND}
   */
  Environment environment(DataService s, String name) {
    return environments
        .find(s.projectId(), name)
        .orElseThrow(
            () ->
                new MiosaException(
                    ErrorCode.ENVIRONMENT_NOT_FOUND,
                    "no environment '" + ProjectService.printable(name) + "'"));
  }

  /** The environment's id, or null when no name is given. */
  String environmentIdOrNull(DataService s, String name) {
    return name == null ? null : environment(s, name).id();
  }
}
