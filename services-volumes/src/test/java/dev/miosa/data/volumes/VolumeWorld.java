package dev.miosa.data.volumes;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.ProviderRegistry;
import dev.miosa.data.provisioner.Reconciler;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.resource.StoredResourceContext;
import dev.miosa.data.volumes.image.VolumeImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * A control-plane database, a volume root and the volume service on them, with a project that has
 * the environments {@code production} and {@code staging}. Operations are run the way a worker runs
 * them, through the provisioner's {@link Reconciler}, but synchronously.
 */
final class VolumeWorld implements AutoCloseable {

  static final JsonMapper JSON = JsonMapper.builder().build();
  static final SecretCipher CIPHER = SecretCipher.fromBase64(SecretCipher.generateKeyBase64());

  final ControlPlaneDb db;
  final Path root;
  final VolumeSettings settings;
  final ControlPlaneDb.Replica replica;
  final Volumes volumes;
  final ResourceStore resources;
  final OperationStore operations;
  final String projectId = Ids.newId("prj");
  final Map<String, String> environments = new LinkedHashMap<>();

  /** A data service and its volume per environment name. */
  record Service(String id, String name, Map<String, String> resourceIds) {
    String resource(String environment) {
      return resourceIds.get(environment);
    }
  }

  VolumeWorld() throws Exception {
    this(new VolumeImages());
  }

  VolumeWorld(VolumeImages images) throws Exception {
    db = new ControlPlaneDb();
    root = Files.createTempDirectory("miosa-volumes");
    settings = VolumeSettings.of(root);
    replica = db.replica(60);
    resources = new ResourceStore(replica.jdbc(), JSON);
    operations = new OperationStore(replica.jdbc(), JSON);
    volumes = new Volumes(settings, replica.jdbc(), replica.tx(), operations, images);
    replica
        .jdbc()
        .sql("INSERT INTO projects (id, slug, name) VALUES (:id, :slug, 'Test')")
        .param("id", projectId)
        .param("slug", "p" + projectId.substring(4, 14))
        .update();
    for (String env : List.of("production", "staging")) {
      String id = Ids.newId("env");
      replica
          .jdbc()
          .sql("INSERT INTO environments (id, project_id, name) VALUES (:id, :p, :n)")
          .param("id", id)
          .param("p", projectId)
          .param("n", env)
          .update();
      environments.put(env, id);
    }
  }

  /** The volume service as another api replica (or this one after a restart) sees it. */
  Volumes otherReplica() {
    ControlPlaneDb.Replica other = db.replica(60);
    return new Volumes(
        VolumeSettings.of(root),
        other.jdbc(),
        other.tx(),
        new OperationStore(other.jdbc(), JSON),
        new VolumeImages());
  }

  Reconciler reconciler(Volumes v) {
    ProviderRegistry registry = new ProviderRegistry(List.of(v.provider()), v.handlers());
    return new Reconciler(registry, resources, CIPHER, replica.jdbc(), env -> {});
  }

  /**
   * Creates a volume data service (config validated by the provider) and provisions it everywhere.
   */
  Service createService(String name, Map<String, Object> config) {
    Service service = createUnprovisionedService(name, config);
    run(operations.enqueue(Operation.PROVISION, projectId, service.id(), null, Map.of(), 5));
    return service;
  }

  /**
   * Creates a volume data service (config validated by the provider) with a resource row per
   * environment, and provisions nothing.
   */
  Service createUnprovisionedService(String name, Map<String, Object> config) {
    Map<String, Object> stored = volumes.provider().validateConfig(config);
    String serviceId = Ids.newId("svc");
    replica
        .jdbc()
        .sql(
            "INSERT INTO data_services (id, project_id, type, name, config) VALUES (:id, :p, 'volume', :n, CAST(:c AS jsonb))")
        .param("id", serviceId)
        .param("p", projectId)
        .param("n", name)
        .param("c", JSON.writeValueAsString(stored))
        .update();
    Map<String, String> ids = new LinkedHashMap<>();
    environments.forEach(
        (env, envId) ->
            ids.put(env, resources.createIfAbsent(serviceId, envId, "default").orElseThrow()));
    return new Service(serviceId, name, ids);
  }

  /** A provider's view of a stored resource, as a worker builds it. */
  StoredResourceContext context(String resourceId) {
    return new StoredResourceContext(
        resources.find(resourceId).orElseThrow(), resources, CIPHER, null);
  }

  /** Marks a data service for deletion (after the api's guard) and deprovisions it. */
  void deleteService(Service service) {
    replica
        .jdbc()
        .sql("UPDATE data_services SET state = 'deleting' WHERE id = :id")
        .param("id", service.id())
        .update();
    resources.markAbsent(service.id(), null);
    run(operations.enqueue(Operation.DEPROVISION, projectId, service.id(), null, Map.of(), 5));
  }

  /** Runs an operation now, as a worker would (an exception fails the attempt). */
  void run(String operationId) {
    run(volumes, operationId);
  }

  void run(Volumes v, String operationId) {
    reconciler(v).execute(operations.find(operationId).orElseThrow());
  }

  Path image(String resourceId) {
    return new VolumeLayout(root).image(resourceId);
  }

  /** Moves a lease into the past, as if its holder had stopped renewing it long ago. */
  void expireLease(String resourceId) {
    replica
        .jdbc()
        .sql(
            "UPDATE volume_attachments SET lease_expires_at = clock_timestamp() - interval '1 second' WHERE resource_id = :r AND ended_at IS NULL")
        .param("r", resourceId)
        .update();
  }

  @Override
  public void close() {
    db.close();
    TestServers.deleteQuietly(root);
  }
}
