package dev.miosa.data.postgres;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.Ids;
import dev.miosa.data.provisioner.resource.ResourceRow;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.resource.StoredResourceContext;
import dev.miosa.data.provisioner.spi.CredentialRotation;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/**
 * Resource records of postgres data services in a migrated control-plane database, as the api
 * writes them, for provider tests: projects, environments, data services and resources, their
 * attributes merged after a provision, and credentials promoted the way the control plane does it
 * (see {@link CredentialRotation}: every {@code next.X} becomes {@code X}, the {@code X} it
 * replaces {@code previous.X}, secrets re-encrypted under their new name).
 */
public final class TestResources {

  /** The control-plane database. */
  public final DataSource controlPlane;

  /** A client on it. */
  public final JdbcClient jdbc;

  /** The mapper of its jsonb columns. */
  public final JsonMapper json = JsonMapper.builder().build();

  /** The cipher of secrets at rest. */
  public final SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.generateKeyBase64());

  /** The resource records. */
  public final ResourceStore resources;

  /**
   * @param prefix names the control-plane database made for these records
   */
  public TestResources(String prefix) {
    this.controlPlane = TestServers.controlPlaneDatabase(prefix);
    this.jdbc = JdbcClient.create(controlPlane);
    this.resources = new ResourceStore(jdbc, json);
  }

  /** A project with a postgres data service and its records. */
  public record Service(String projectId, String serviceId, Map<String, String> resourceByEnv) {}

  /**
   * Records a project with the given environments and a postgres data service to be provisioned in
   * each, placed on backend {@code pg-1}.
   *
   * @param config the data service's validated config
   * @param envs environment names
   * @return the ids
   */
  public Service service(Map<String, Object> config, String... envs) {
    String project = Ids.newId("prj");
    jdbc.sql("INSERT INTO projects (id, slug, name) VALUES (:id, :slug, 'Test')")
        .param("id", project)
        .param("slug", project.replace('_', '-'))
        .update();
    String service = Ids.newId("svc");
    jdbc.sql(
            "INSERT INTO data_services (id, project_id, type, name, config) VALUES (:id, :p, 'postgres', 'main', CAST(:c AS jsonb))")
        .param("id", service)
        .param("p", project)
        .param("c", json.writeValueAsString(config))
        .update();
    Map<String, String> byEnv = new LinkedHashMap<>();
    for (String env : envs) {
      String envId = Ids.newId("env");
      jdbc.sql("INSERT INTO environments (id, project_id, name) VALUES (:id, :p, :n)")
          .param("id", envId)
          .param("p", project)
          .param("n", env)
          .update();
      byEnv.put(env, resources.createIfAbsent(service, envId, "pg-1").orElseThrow());
    }
    return new Service(project, service, byEnv);
  }

  /** A resource's row as stored now. */
  public ResourceRow row(String resourceId) {
    return resources.find(resourceId).orElseThrow();
  }

  /** A provider's view of a resource as stored now. */
  public StoredResourceContext context(String resourceId) {
    return new StoredResourceContext(row(resourceId), resources, cipher, null);
  }

  /**
   * Moves the credentials of a resource one generation on, in one statement: {@code next.X} to
   * {@code X}, and {@code X} to {@code previous.X}, for attributes and secrets.
   */
  public void promote(String resourceId) {
    ResourceRow row = row(resourceId);
    Map<String, String> attributes = new HashMap<>(row.attributes());
    Map<String, String> secrets = new HashMap<>(row.secrets());
    String next = CredentialRotation.NEXT;
    String previous = CredentialRotation.PREVIOUS;
    for (String key : List.copyOf(attributes.keySet())) {
      if (key.startsWith(next)) {
        String name = key.substring(next.length());
        String replaced = attributes.put(name, attributes.remove(key));
        if (replaced != null) {
          attributes.put(previous + name, replaced);
        }
      }
    }
    for (String key : List.copyOf(secrets.keySet())) {
      if (key.startsWith(next)) {
        String name = key.substring(next.length());
        String replaced = secrets.get(name);
        if (replaced != null) {
          secrets.put(previous + name, reEncrypt(resourceId, replaced, name, previous + name));
        }
        secrets.put(name, reEncrypt(resourceId, secrets.remove(key), key, name));
      }
    }
    store(resourceId, attributes, secrets);
  }

  /** Forgets the {@code previous.X} values, as the control plane does once they are revoked. */
  public void forgetPrevious(String resourceId) {
    ResourceRow row = row(resourceId);
    Map<String, String> attributes = new HashMap<>(row.attributes());
    Map<String, String> secrets = new HashMap<>(row.secrets());
    attributes.keySet().removeIf(k -> k.startsWith(CredentialRotation.PREVIOUS));
    secrets.keySet().removeIf(k -> k.startsWith(CredentialRotation.PREVIOUS));
    store(resourceId, attributes, secrets);
  }

  private String reEncrypt(String resourceId, String stored, String from, String to) {
    return cipher.encrypt(cipher.decrypt(stored, resourceId + "/" + from), resourceId + "/" + to);
  }

  private void store(
      String resourceId, Map<String, String> attributes, Map<String, String> secrets) {
    jdbc.sql(
            "UPDATE resources SET attributes = CAST(:a AS jsonb), secrets = CAST(:s AS jsonb) WHERE id = :id")
        .param("id", resourceId)
        .param("a", json.writeValueAsString(attributes))
        .param("s", json.writeValueAsString(secrets))
        .update();
  }
}
