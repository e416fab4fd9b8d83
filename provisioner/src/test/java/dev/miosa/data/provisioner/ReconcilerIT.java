package dev.miosa.data.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.operation.OperationStore;
import dev.miosa.data.provisioner.operation.OperationWorker;
import dev.miosa.data.provisioner.operation.WorkerSettings;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/** The reconciler against the real control-plane schema: how an operation's resources are run. */
class ReconcilerIT {

  JdbcClient jdbc;
  ResourceStore resources;

  @BeforeEach
  void setUp() {
    jdbc = JdbcClient.create(TestServers.controlPlaneDatabase("reconciler"));
    resources = new ResourceStore(jdbc, JsonMapper.builder().build());
    jdbc.sql("INSERT INTO projects (id, slug, name) VALUES ('prj_1', 'shop', 'shop')").update();
    for (String env : List.of("production", "staging", "preview-1")) {
      jdbc.sql("INSERT INTO environments (id, project_id, name) VALUES (:id, 'prj_1', :name)")
          .param("id", "env_" + env)
          .param("name", env)
          .update();
    }
    jdbc.sql(
            "INSERT INTO data_services (id, project_id, type, name) VALUES ('svc_1', 'prj_1', 'fake', 'main')")
        .update();
    for (String env : List.of("production", "staging", "preview-1")) {
      jdbc.sql(
              "INSERT INTO resources (id, service_id, environment_id, backend) VALUES (:id, 'svc_1', :env, 'default')")
          .param("id", "res_" + env.replace("-", ""))
          .param("env", "env_" + env)
          .update();
    }
  }

  Reconciler reconciler(Function<ResourceContext, ProvisionResult> provision) {
    ServiceProvider fake =
        new ServiceProvider() {
          @Override
          public String type() {
            return "fake";
          }

          @Override
          public ProvisionResult provision(ResourceContext resource) {
            return provision.apply(resource);
          }

          @Override
          public void deprovision(ResourceContext resource) {}

          @Override
          public Map<String, String> variables(ResourceContext resource) {
            return Map.of();
          }

          @Override
          public java.util.List<String> variableNames() {
            return java.util.List.of();
          }
        };
    return new Reconciler(
        new ProviderRegistry(List.of(fake), List.of()),
        resources,
        SecretCipher.fromBase64(SecretCipher.generateKeyBase64()),
        jdbc,
        env -> {});
  }

  static Operation provision() {
    return new Operation(
        "op_1",
        Operation.PROVISION,
        "prj_1",
        "svc_1",
        null,
        Map.of(),
        "running",
        1,
        3,
        null,
        null,
        Instant.now(),
        null);
  }

  String phase(String id) {
    return jdbc.sql("SELECT phase FROM resources WHERE id = :id")
        .param("id", id)
        .query(String.class)
        .single();
  }

  @Test
  void theEnvironmentsOfOneOperationAreProvisionedAtOnce() {
    // Each provision waits until all three are in flight: only parallel provisioning gets past.
    CyclicBarrier allInFlight = new CyclicBarrier(3);
    reconciler(
            res -> {
              try {
                allInFlight.await(10, TimeUnit.SECONDS);
              } catch (Exception e) {
                throw new IllegalStateException("not provisioned at once", e);
              }
              return new ProvisionResult(ProvisionResult.Action.CREATED, Map.of());
            })
        .execute(provision());
    assertThat(List.of("res_production", "res_staging", "res_preview1"))
        .allSatisfy(id -> assertThat(phase(id)).isEqualTo("ready"));
  }

  @Test
  void oneFailingEnvironmentFailsTheAttemptAndTheOthersStillEndReady() {
    Reconciler r =
        reconciler(
            res -> {
              if (res.resourceId().equals("res_staging")) {
                throw new ProvisioningException("BACKEND_ERROR", "staging refused", true, null);
              }
              return new ProvisionResult(ProvisionResult.Action.CREATED, Map.of());
            });
    Assertions.assertThatThrownBy(() -> r.execute(provision()))
        .isInstanceOf(ProvisioningException.class)
        .hasMessage("staging refused");
    assertThat(phase("res_staging")).isEqualTo("failed");
    assertThat(phase("res_production")).isEqualTo("ready");
    assertThat(phase("res_preview1")).isEqualTo("ready");
  }

  @Test
  void aWorkerThatLosesItsLeaseStopsAndWritesNeitherStepNorOutcome() throws Exception {
    OperationStore store = new OperationStore(jdbc, JsonMapper.builder().build());
    String id = store.enqueue(Operation.PROVISION, "prj_1", "svc_1", "env_production", Map.of(), 3);
    CountDownLatch inProvision = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean stopped = new AtomicBoolean();
    // A provider busy with work that does not end on an interrupt: it notes the interrupt and
    // returns normally once released, as if its last statement had already been sent.
    Reconciler r =
        reconciler(
            res -> {
              inProvision.countDown();
              while (release.getCount() > 0) {
                try {
                  release.await();
                } catch (InterruptedException e) {
                  stopped.set(true);
                }
              }
              return new ProvisionResult(ProvisionResult.Action.CREATED, Map.of("late", "yes"));
            });
    OperationWorker worker =
        new OperationWorker(
            store,
            r,
            new WorkerSettings(
                1,
                Duration.ofMillis(20),
                Duration.ofMillis(900),
                Duration.ofMillis(30),
                Duration.ofMillis(200),
                3));
    worker.start();
    try {
      assertThat(inProvision.await(30, TimeUnit.SECONDS)).isTrue();
      // Another replica takes the operation over, as its claim after a lapsed lease would.
      jdbc.sql(
              """
              UPDATE operations SET lease_owner = 'wrk_other', attempts = attempts + 1,
                     lease_expires_at = now() + interval '1 hour'
              WHERE id = :id
              """)
          .param("id", id)
          .update();
      for (int i = 0; i < 300 && !stopped.get(); i++) {
        Thread.sleep(50); // the first worker finds out at its next renewal (every 300 ms)
      }
      release.countDown();
    } finally {
      worker.close(); // waits for the attempt to end
    }
    assertThat(stopped).as("the first worker's attempt was interrupted").isTrue();
    assertThat(phase("res_production")).isEqualTo("provisioning");
    assertThat(
            jdbc.sql("SELECT attributes ->> 'late' FROM resources WHERE id = 'res_production'")
                .query(String.class)
                .optional())
        .isEmpty();
    Operation op = store.find(id).orElseThrow();
    assertThat(op.state()).isEqualTo("running");
    assertThat(op.error()).isNull();
    assertThat(
            jdbc.sql("SELECT lease_owner FROM operations WHERE id = :id")
                .param("id", id)
                .query(String.class)
                .single())
        .isEqualTo("wrk_other");
  }
}
