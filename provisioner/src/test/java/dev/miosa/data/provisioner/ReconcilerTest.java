package dev.miosa.data.provisioner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.local.TestServers;
import dev.miosa.data.provisioner.operation.Operation;
import dev.miosa.data.provisioner.resource.ResourceStore;
import dev.miosa.data.provisioner.spi.ProvisionResult;
import dev.miosa.data.provisioner.spi.ProvisioningException;
import dev.miosa.data.provisioner.spi.ResourceContext;
import dev.miosa.data.provisioner.spi.ServiceProvider;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.json.JsonMapper;

/** The reconciler against the real control-plane schema: how an operation's resources are run. */
class ReconcilerTest {

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
}
