package dev.miosa.data.provisioner.rotation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.credentials.Secret;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.ProviderRegistry;
import dev.miosa.data.provisioner.event.Event;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.spi.CredentialRotation;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionSynchronizationManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * The rotation steps against the real control-plane schema, with a provider whose "backend" is a
 * set of valid passwords: promotion, revocation, resumption after a crash, events.
 */
class CredentialRotationsIT {

  static final String RES = "res_rotation0000000001";

  final SecretCipher cipher = SecretCipher.fromBase64(SecretCipher.generateKeyBase64());
  final JsonMapper json = JsonMapper.builder().build();
  final Set<String> valid = ConcurrentHashMap.newKeySet();
  final List<Event> events = new ArrayList<>();
  final List<String> changedEnvironments = new ArrayList<>();
  final AtomicBoolean crashAfterAdd = new AtomicBoolean();
  JdbcClient jdbc;
  RotationStore rotations;
  OperationStore operations;
  CredentialRotations executor;
  int generation;

  /** A rotating provider whose backend is {@link #valid}. */
  final class FakeProvider implements ServiceProvider, CredentialRotation {
    @Override
    public String type() {
      return "fake";
    }

    @Override
    public ProvisionResult provision(ResourceContext resource) {
      return new ProvisionResult(ProvisionResult.Action.UNCHANGED, Map.of());
    }

    @Override
    public void deprovision(ResourceContext resource) {}

    @Override
    public Map<String, String> variables(ResourceContext resource) {
      return Map.of("PASSWORD", resource.existingSecret("password").orElseThrow().reveal());
    }

    @Override
    public List<String> variableNames() {
      return List.of("PASSWORD");
    }

    @Override
    public Map<String, String> addNextCredentials(ResourceContext resource) {
      Secret next = resource.secret(NEXT + "password", () -> Secret.of("pw-" + ++generation));
      valid.add(next.reveal());
      if (crashAfterAdd.getAndSet(false)) {
        throw new IllegalStateException("the replica died");
      }
      return Map.of(NEXT + "user", "user-" + generation);
    }

    @Override
    public void revokePreviousCredentials(ResourceContext resource) {
      resource.existingSecret(PREVIOUS + "password").ifPresent(s -> valid.remove(s.reveal()));
    }
  }

  @BeforeEach
  void setUp() {
    DataSource ds = TestServers.controlPlaneDatabase("rotations");
    jdbc = JdbcClient.create(ds);
    ResourceStore resources = new ResourceStore(jdbc, json);
    rotations = new RotationStore(jdbc, json);
    operations = new OperationStore(jdbc, json);
    executor =
        new CredentialRotations(
            new ProviderRegistry(List.of(new FakeProvider()), List.of()),
            resources,
            rotations,
            operations,
            cipher,
            new TransactionTemplate(new DataSourceTransactionManager(ds)),
            event -> {
              assertThat(TransactionSynchronizationManager.isActualTransactionActive())
                  .as("published inside the transaction of the change")
                  .isTrue();
              events.add(event);
            },
            changedEnvironments::add,
            3);
    jdbc.sql("INSERT INTO projects (id, slug, name) VALUES ('prj_1', 'shop', 'shop')").update();
    jdbc.sql(
            "INSERT INTO environments (id, project_id, name) VALUES ('env_1', 'prj_1', 'production')")
        .update();
    jdbc.sql(
            "INSERT INTO data_services (id, project_id, type, name) VALUES ('svc_1', 'prj_1', 'fake', 'main')")
        .update();
    jdbc.sql(
            """
            INSERT INTO resources (id, service_id, environment_id, backend, phase, attributes, secrets)
            VALUES (:id, 'svc_1', 'env_1', 'default', 'ready', '{"user":"user-0"}',
                    jsonb_build_object('password', CAST(:pw AS text)))
            """)
        .param("id", RES)
        .param("pw", cipher.encrypt(Secret.of("pw-0"), RES + "/password"))
        .update();
    valid.add("pw-0");
  }

  Operation rotateOperation(int graceSeconds) {
    String id = RotationStore.newId();
    String op =
        operations.enqueue(
            CredentialRotations.ROTATE,
            "prj_1",
            "svc_1",
            "env_1",
            Map.of(CredentialRotations.PARAM_ROTATION, id, CredentialRotations.PARAM_RESOURCE, RES),
            3);
    rotations.insert(id, RES, "prj_1", "svc_1", "env_1", op, graceSeconds);
    return operations.find(op).orElseThrow();
  }

  Map<String, String> secrets() {
    Map<String, String> out = new java.util.TreeMap<>();
    rotations
        .lockCredentials(RES)
        .orElseThrow()
        .secrets()
        .forEach(
            (name, stored) -> out.put(name, cipher.decrypt(stored, RES + "/" + name).reveal()));
    return out;
  }

  Map<String, String> attributes() {
    return rotations.lockCredentials(RES).orElseThrow().attributes();
  }

  @Test
  void promotionReEncryptsUnderTheNewNamesAndKeepsBothValid() {
    Operation op = rotateOperation(600);
    executor.execute(op);
    assertThat(secrets())
        .containsOnly(Map.entry("password", "pw-1"), Map.entry("previous.password", "pw-0"));
    assertThat(attributes())
        .containsOnly(Map.entry("user", "user-1"), Map.entry("previous.user", "user-0"));
    assertThat(valid).containsExactlyInAnyOrder("pw-0", "pw-1");
    Rotation r = rotations.holdingPrevious(RES).get(0);
    assertThat(r.state()).isEqualTo(Rotation.GRACE);
    assertThat(r.graceEndsAt()).isAfter(Instant.now().plusSeconds(500));
    assertThat(changedEnvironments).contains("env_1");
    assertThat(events)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.type()).isEqualTo("credentials.rotated");
              assertThat(e.data())
                  .containsEntry("serviceType", "fake")
                  .containsEntry("environment", "production")
                  .containsEntry("operationId", op.id())
                  .containsKey("graceEndsAt");
              assertThat(e.data().toString()).doesNotContain("pw-");
            });

    executor.execute(op); // run again, as after a lost lease
    assertThat(secrets())
        .containsEntry("password", "pw-1")
        .containsEntry("previous.password", "pw-0");
    assertThat(events).hasSize(1);
  }

  @Test
  void aReplicaDyingAfterAddingTheNextCredentialLeavesTheSameOneToTheNext() {
    Operation op = rotateOperation(600);
    crashAfterAdd.set(true);
    assertThatThrownBy(() -> executor.execute(op)).hasMessageContaining("died");
    assertThat(secrets()).containsEntry("password", "pw-0").containsEntry("next.password", "pw-1");
    executor.execute(op);
    assertThat(secrets())
        .containsOnly(Map.entry("password", "pw-1"), Map.entry("previous.password", "pw-0"));
    assertThat(valid).as("no third credential was made").containsExactlyInAnyOrder("pw-0", "pw-1");
  }

  @Test
  void graceZeroRevokesAtOnceAndANewRotationEndsTheGraceOfTheOneBefore() {
    executor.execute(rotateOperation(600));
    Operation second = rotateOperation(0);
    executor.execute(second);
    assertThat(secrets()).containsOnly(Map.entry("password", "pw-2"));
    assertThat(attributes()).containsOnly(Map.entry("user", "user-2"));
    assertThat(valid).as("exactly the current credential").containsExactly("pw-2");
    assertThat(events)
        .extracting(Event::type)
        .containsExactly(
            "credentials.rotated",
            "credentials.revoked",
            "credentials.rotated",
            "credentials.revoked");
    assertThat(rotations.holdingPrevious(RES)).isEmpty();
  }

  @Test
  void theSweeperEnqueuesARevokeOnlyOnceTheGraceEnded() {
    executor.execute(rotateOperation(600));
    assertThat(executor.sweep()).as("grace not over").isZero();
    jdbc.sql("UPDATE credential_rotations SET grace_ends_at = now()").update();
    assertThat(executor.sweep()).isEqualTo(1);
    assertThat(executor.sweep()).as("already enqueued").isZero();
    Operation revoke =
        operations.unfinished().stream()
            .filter(o -> o.type().equals(CredentialRotations.REVOKE))
            .findFirst()
            .orElseThrow();
    executor.execute(revoke);
    executor.execute(revoke);
    assertThat(secrets()).containsOnly(Map.entry("password", "pw-1"));
    assertThat(valid).containsExactly("pw-1");
    assertThat(events)
        .extracting(Event::type)
        .containsExactly("credentials.rotated", "credentials.revoked");
  }
}
