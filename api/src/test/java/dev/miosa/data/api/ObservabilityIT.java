package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.miosa.data.api.ops.BackendMonitor;
import dev.miosa.data.api.ops.ControlPlaneMetrics;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Operations: the Prometheus export (admin token only) names the control plane's metrics, backend
 * servers have their own health group, and a request's id comes back and lands in the log.
 */
@ExtendWith(OutputCaptureExtension.class)
class ObservabilityIT extends ApiTestBase {

  @Autowired JdbcClient jdbc;
  @Autowired ControlPlaneMetrics metrics;
  @Autowired BackendMonitor backends;

  @Test
  void prometheusExportsTheControlPlaneMetricsToTheAdminOnly() {
    String slug = createProject("metrics");
    attachAndWait(slug, "{\"type\":\"auth\"}");
    String rt = mintRuntimeToken(slug, "production");
    assertThat(anonymous().as(rt).get("/v1/runtime/env").status()).isEqualTo(200);
    // A backup row of a live resource (the scheduler starts the expiry of orphans' backups).
    var resource =
        jdbc.sql(
                "SELECT r.id, r.environment_id FROM resources r JOIN data_services s ON s.id ="
                    + " r.service_id JOIN projects p ON p.id = s.project_id WHERE p.slug = :slug"
                    + " LIMIT 1")
            .param("slug", slug)
            .query((rs, i) -> new String[] {rs.getString(1), rs.getString(2)})
            .single();
    jdbc.sql(
            "INSERT INTO postgres_backups (id, project_id, service_id, resource_id,"
                + " environment_id, environment_name, kind, state, object_key, finished_at)"
                + " VALUES (:id, 'p', 's', :resource, :env, 'production', 'manual', 'succeeded',"
                + " 'k', now() - interval '1 hour')")
        .param("id", "bkp_" + resource[0])
        .param("resource", resource[0])
        .param("env", resource[1])
        .update();
    backends.probeAll();
    metrics.refresh();

    assertThat(anonymous().get("/actuator/prometheus").status()).isEqualTo(401);
    var res = admin().get("/actuator/prometheus");
    assertThat(res.status()).isEqualTo(200);
    assertThat(res.body())
        .contains("miosa_operations{state=\"succeeded\",type=\"provision\"}")
        .contains("miosa_operations_queue_depth ")
        .contains("miosa_operations_queue_oldest_age_seconds ")
        .contains("miosa_operations_attempt_failures_total{code=\"PROVISIONING_FAILED\"}")
        .contains("miosa_operations_leases_lost_total ")
        .contains("miosa_audit_backlog ")
        .contains("miosa_audit_backlog_oldest_age_seconds ")
        .contains("miosa_audit_write_failures_total ")
        .contains("miosa_audit_refused_total ")
        .contains("miosa_env_fetches_seconds_count ")
        .contains("miosa_env_fetches_seconds_sum ")
        .contains("cache_gets_total{cache=\"variables\",")
        .contains(
            "miosa_postgres_backup_age_seconds{environment=\""
                + resource[1]
                + "\",resource=\""
                + resource[0]
                + "\"}")
        .contains("miosa_backend_up{server=\"pg-1\",type=\"postgres\"} 1.0")
        .contains("miosa_backend_up{server=\"pgbouncer\",type=\"pgbouncer\"} 1.0")
        .contains("miosa_backend_up{server=\"s3-1\",type=\"storage\"} 1.0")
        .contains("http_server_requests_seconds_count");
  }

  @Test
  void backendServersHaveTheirOwnHealthGroupAndReadinessIsTheStoreOnly() {
    backends.probeAll();
    var group = anonymous().get("/actuator/health/backends");
    assertThat(group.status()).isEqualTo(200);
    assertThat(group.json().path("components").path("backends").path("components")).isNotNull();
    assertThat(
            group
                .json()
                .at("/components/backendServers/components/postgres/components/pg-1/status")
                .asString())
        .isEqualTo("UP");
    var readiness = anonymous().get("/actuator/health/readiness");
    assertThat(readiness.status()).isEqualTo(200);
    assertThat(readiness.body()).doesNotContain("backendServers");
  }

  @Test
  void aRequestIdSentComesBackAndIsOnTheLogLines(CapturedOutput output) {
    var res =
        admin()
            .get(
                "/v1/projects?limit=1",
                Map.of(
                    "X-Request-Id",
                    "req-obs.42",
                    "traceparent",
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"));
    assertThat(res.status()).isEqualTo(200);
    assertThat(res.header("X-Request-Id")).isEqualTo("req-obs.42");
    // The access line is written when the request ends, which may be just after the answer.
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(output.getOut())
                    .containsPattern(
                        "\\[req-obs\\.42 trace=4bf92f3577b34da6a3ce929d0e0e4736\\].*GET"
                            + " /v1/projects 200"));
  }

  @Test
  void anUnsafeRequestIdIsReplacedByAGeneratedOne() {
    var res = anonymous().get("/actuator/health", Map.of("X-Request-Id", "x\";rm -rf"));
    assertThat(res.header("X-Request-Id")).matches("[0-9a-f]{32}");
    var noId = anonymous().get("/actuator/health");
    assertThat(noId.header("X-Request-Id")).matches("[0-9a-f]{32}");
  }
}
