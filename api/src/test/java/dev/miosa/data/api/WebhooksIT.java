package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.miosa.data.api.webhook.DeliveryWorker;
import dev.miosa.data.api.webhook.Signatures;
import dev.miosa.data.api.webhook.TargetPolicy;
import dev.miosa.data.api.webhook.WebhookHousekeeping;
import dev.miosa.data.api.webhook.WebhookProperties;
import dev.miosa.data.api.webhook.WebhookReceiver;
import dev.miosa.data.credentials.SecretCipher;
import dev.miosa.data.provisioner.event.Event;
import dev.miosa.data.provisioner.event.EventPublisher;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;

/** Webhooks end to end: registration, signed delivery from the outbox, retries, isolation. */
class WebhooksIT extends ApiTestBase {

  private static final Duration WAIT = Duration.ofSeconds(90);

  @Autowired JdbcClient jdbc;
  @Autowired SecretCipher cipher;
  @Autowired EventPublisher events;
  @Autowired TransactionTemplate tx;
  @Autowired WebhookProperties webhookSettings;
  @Autowired WebhookHousekeeping housekeeping;

  /** Registers an endpoint for one project; returns the 201 answer. */
  JsonNode register(String url, String events, String slug) {
    var res =
        admin()
            .post(
                "/v1/webhooks",
                "{\"url\":\"" + url + "\",\"events\":" + events + ",\"project\":\"" + slug + "\"}");
    assertThat(res.status()).as(res.body()).isEqualTo(201);
    return res.json();
  }

  /**
   * A new project with an endpoint for all its events, and one event published in it; the
   * endpoint's id.
   */
  String subscribeAndPublishOne(String prefix, WebhookReceiver target) {
    String slug = createProject(prefix);
    String projectId = admin().get("/v1/projects/" + slug).json().path("id").asString();
    String id = register(target.url(), "[\"*\"]", slug).path("id").asString();
    tx.executeWithoutResult(
        s -> events.publish(new Event("operation.failed", projectId, Map.of("x", "y"))));
    return id;
  }

  /** Waits until an endpoint's newest delivery has a state and last status; returns it. */
  JsonNode awaitNewestDelivery(String endpointId, String state, int lastStatus) {
    return await()
        .atMost(WAIT)
        .until(
            () ->
                admin()
                    .get("/v1/webhooks/" + endpointId + "/deliveries")
                    .json()
                    .path("items")
                    .get(0),
            d ->
                d != null
                    && d.path("state").asString().equals(state)
                    && d.path("lastStatus").asInt() == lastStatus);
  }

  static List<String> types(WebhookReceiver r) {
    return r.received().stream()
        .map(x -> Http.JSON.readTree(x.body()).path("type").asString())
        .toList();
  }

  @Test
  void attachSendsSignedEventsThatVerifyAndCarryNoSecret() throws Exception {
    String slug = createProject("hooks");
    try (WebhookReceiver target = new WebhookReceiver(n -> 200)) {
      JsonNode created = register(target.url(), "[\"*\"]", slug);
      String secret = created.path("secret").asString();
      String id = created.path("id").asString();
      assertThat(secret).startsWith("whsec_");
      // The secret is shown once: neither the endpoint nor the list shows it again.
      var shown = admin().get("/v1/webhooks/" + id);
      assertThat(shown.status()).isEqualTo(200);
      assertThat(shown.json().has("secret")).isFalse();
      assertThat(shown.body()).doesNotContain(secret.substring(6));
      assertThat(admin().get("/v1/webhooks").body())
          .contains(id)
          .doesNotContain(secret.substring(6));

      assertThat(attachAndWait(slug, "{\"type\":\"postgres\"}").path("state").asString())
          .isEqualTo("succeeded");
      assertThat(attachAndWait(slug, "{\"type\":\"redis\"}").path("state").asString())
          .isEqualTo("succeeded");
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> assertThat(types(target)).filteredOn("operation.succeeded"::equals).hasSize(2));
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(types(target))
                      .filteredOn("service.phase_changed"::equals)
                      .hasSizeGreaterThanOrEqualTo(2));

      // Every signature verifies with the published algorithm, implemented in the test.
      assertThat(target.received()).isNotEmpty();
      for (var r : target.received()) {
        assertThat(Signatures.verify(secret, r.id(), r.timestamp(), r.body(), r.signature()))
            .as(r.body())
            .isTrue();
        JsonNode body = Http.JSON.readTree(r.body());
        assertThat(body.has("type") && body.has("timestamp") && body.has("data")).isTrue();
        assertThat(body.path("data").path("projectId").asString()).startsWith("prj_");
      }
      JsonNode phase =
          target.received().stream()
              .map(x -> Http.JSON.readTree(x.body()))
              .filter(b -> b.path("type").asString().equals("service.phase_changed"))
              .findFirst()
              .orElseThrow();
      assertThat(phase.path("data").path("from").asString()).isEqualTo("provisioning");
      assertThat(phase.path("data").path("to").asString()).isEqualTo("ready");

      // No secret value of the attached services is in any payload.
      List<String> secrets = new ArrayList<>();
      for (String env : List.of("production", "staging")) {
        JsonNode vars =
            admin().get("/v1/projects/" + slug + "/environments/" + env + "/variables").json();
        secrets.add(vars.path("PGPASSWORD").asString());
        secrets.add(vars.path("DATABASE_URL").asString());
        secrets.add(vars.path("REDIS_URL").asString());
        String redisUser = URI.create(vars.path("REDIS_URL").asString()).getUserInfo();
        secrets.add(redisUser.substring(redisUser.indexOf(':') + 1));
      }
      assertThat(secrets).allSatisfy(s -> assertThat(s).hasSizeGreaterThan(8));
      for (var r : target.received()) {
        for (String s : secrets) {
          assertThat(r.body()).doesNotContain(s);
        }
        assertThat(r.body()).doesNotContain(secret.substring(6));
      }

      // The deliveries list shows each delivery's state, attempts and last answer.
      JsonNode deliveries = admin().get("/v1/webhooks/" + id + "/deliveries").json().path("items");
      assertThat(deliveries.size()).isGreaterThanOrEqualTo(4);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(admin().get("/v1/webhooks/" + id + "/deliveries").json().path("items"))
                      .allSatisfy(
                          d -> {
                            assertThat(d.path("state").asString()).isEqualTo("delivered");
                            assertThat(d.path("attempts").asInt()).isEqualTo(1);
                            assertThat(d.path("lastStatus").asInt()).isEqualTo(200);
                          }));
      assertThat(admin().get("/v1/webhooks/" + id + "/deliveries").body())
          .doesNotContain(secret.substring(6));

      // Metrics of the outbox.
      assertThat(admin().get("/actuator/prometheus").body())
          .contains(
              "miosa_webhook_deliveries_pending",
              "miosa_webhook_deliveries_oldest_pending_age_seconds",
              "miosa_webhook_deliveries_sent_total",
              "miosa_webhook_deliveries_failed_total");
      // Deleting a data service tells its phase going to deleted (restorable); purging it tells
      // deleting, then purged.
      purgeAndWait(slug, deleteAndWait(slug, "redis:main", "main").path("id").asString(), "main");
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(
                          target.received().stream()
                              .map(x -> Http.JSON.readTree(x.body()).path("data"))
                              .filter(d -> d.path("serviceType").asString().equals("redis"))
                              .map(d -> d.path("from").asString() + "->" + d.path("to").asString())
                              .toList())
                      .containsExactlyInAnyOrder(
                          "provisioning->ready",
                          "ready->deleted",
                          "deleted->deleting",
                          "deleting->purged"));
      assertThat(admin().delete("/v1/webhooks/" + id).status()).isEqualTo(204);
      assertThat(admin().get("/v1/webhooks/" + id).status()).isEqualTo(404);
    }
  }

  @Test
  void volumeAttachAndDetachAreTold() throws Exception {
    String slug = createProject("hookvol");
    assertThat(
            attachAndWait(slug, "{\"type\":\"volume\",\"config\":{\"sizeGiB\":1}}")
                .path("state")
                .asString())
        .isEqualTo("succeeded");
    try (WebhookReceiver target = new WebhookReceiver(n -> 200)) {
      register(target.url(), "[\"volume.attached\",\"volume.detached\"]", slug);
      String base = "/v1/projects/" + slug + "/services/volume:main/attachments";
      assertThat(
              admin()
                  .post(base, "{\"environment\":\"production\",\"instanceId\":\"vm-7\"}")
                  .status())
          .isEqualTo(201);
      assertThat(admin().delete(base + "/vm-7?environment=production").status()).isEqualTo(204);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () ->
                  assertThat(types(target))
                      .containsExactlyInAnyOrder("volume.attached", "volume.detached"));
      for (var r : target.received()) {
        JsonNode data = Http.JSON.readTree(r.body()).path("data");
        assertThat(data.path("instanceId").asString()).isEqualTo("vm-7");
        assertThat(data.path("environment").asString()).isEqualTo("production");
      }
    }
  }

  @Test
  void aBackupIsToldOnceItSucceeded() throws Exception {
    String slug = createProject("hookbkp");
    attachAndWait(slug, "{\"type\":\"postgres\"}");
    try (WebhookReceiver target = new WebhookReceiver(n -> 200)) {
      register(target.url(), "[\"backup.succeeded\",\"backup.failed\"]", slug);
      var asked =
          admin()
              .post(
                  "/v1/projects/" + slug + "/services/postgres:main/backups",
                  "{\"environment\":\"production\"}");
      assertThat(asked.status()).as(asked.body()).isEqualTo(202);
      await().atMost(WAIT).untilAsserted(() -> assertThat(target.received()).hasSize(1));
      JsonNode body = Http.JSON.readTree(target.received().get(0).body());
      assertThat(body.path("type").asString()).isEqualTo("backup.succeeded");
      assertThat(body.path("data").path("backupId").asString())
          .isEqualTo(asked.json().path("id").asString());
      assertThat(body.path("data").path("environment").asString()).isEqualTo("production");
    }
  }

  @Test
  void aFailingTargetGetsTheEventAgainLater() throws Exception {
    String slug = createProject("hookretry");
    try (WebhookReceiver target = new WebhookReceiver(n -> n == 1 ? 500 : 200)) {
      String id = register(target.url(), "[\"operation.succeeded\"]", slug).path("id").asString();
      attachAndWait(slug, "{\"type\":\"redis\"}");
      await().atMost(WAIT).untilAsserted(() -> assertThat(target.received()).hasSize(2));
      var first = target.received().get(0);
      var second = target.received().get(1);
      assertThat(first.answered()).isEqualTo(500);
      assertThat(second.answered()).isEqualTo(200);
      assertThat(second.id()).isEqualTo(first.id());
      assertThat(second.body()).isEqualTo(first.body());
      assertThat(awaitNewestDelivery(id, "delivered", 200).path("attempts").asInt()).isEqualTo(2);
    }
  }

  @Test
  void aDeliveryStillFailingADayAfterItsEventEndsFailed() throws Exception {
    try (WebhookReceiver target = new WebhookReceiver(n -> 503)) {
      String id = subscribeAndPublishOne("hookfail", target);
      await().atMost(WAIT).untilAsserted(() -> assertThat(target.received()).isNotEmpty());
      // As if the event were a day old: the next failed attempt is the last.
      jdbc.sql(
              "UPDATE webhook_deliveries SET created_at = now() - interval '25 hours' WHERE endpoint_id = :e")
          .param("e", id)
          .update();
      JsonNode d = awaitNewestDelivery(id, "failed", 503);
      assertThat(d.path("lastError").asString()).isEqualTo("HTTP 503");
      assertThat(d.path("finishedAt").isNull()).isFalse();
      int sent = target.received().size();
      assertThat(sent).isGreaterThanOrEqualTo(2);
      assertThat(admin().get("/actuator/prometheus").body())
          .containsPattern("miosa_webhook_deliveries_failed_total(\\{[^}]*\\})? [1-9]");
    }
  }

  @Test
  void aTargetAnsweringGoneGetsNoRetry() throws Exception {
    try (WebhookReceiver target = new WebhookReceiver(n -> 410)) {
      String id = subscribeAndPublishOne("hookgone", target);
      assertThat(awaitNewestDelivery(id, "failed", 410).path("attempts").asInt()).isEqualTo(1);
      assertThat(target.received()).hasSize(1);
    }
  }

  @Test
  void aHangingTargetDoesNotDelayAnotherAndRedirectsAreNotFollowed() throws Exception {
    String slug = createProject("hookhang");
    try (WebhookReceiver hanging = new WebhookReceiver(n -> -200);
        WebhookReceiver healthy = new WebhookReceiver(n -> 200);
        WebhookReceiver redirecting = new WebhookReceiver(n -> 302)) {
      register(hanging.url(), "[\"operation.succeeded\"]", slug);
      register(healthy.url(), "[\"operation.succeeded\"]", slug);
      String redirectId =
          register(redirecting.url(), "[\"operation.succeeded\"]", slug).path("id").asString();
      attachAndWait(slug, "{\"type\":\"redis\"}");
      await().atMost(WAIT).untilAsserted(() -> assertThat(hanging.received()).hasSize(1));
      // The hanging target still holds its request; the healthy one got the event meanwhile.
      await().atMost(WAIT).untilAsserted(() -> assertThat(healthy.received()).hasSize(1));
      assertThat(hanging.received()).hasSize(1);
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                JsonNode d =
                    admin()
                        .get("/v1/webhooks/" + redirectId + "/deliveries")
                        .json()
                        .path("items")
                        .get(0);
                assertThat(d.path("lastStatus").asInt()).isEqualTo(302);
                assertThat(d.path("lastError").asString()).contains("redirects are not followed");
              });
      assertThat(redirecting.received()).allSatisfy(r -> assertThat(r.answered()).isEqualTo(302));
      hanging.release();
    }
  }

  @Test
  void twoWorkersOnOneDatabaseNeverSendOneDeliveryAtOnceAndLoseNone() throws Exception {
    String slug = createProject("hookrace");
    String projectId = admin().get("/v1/projects/" + slug).json().path("id").asString();
    int n = 40;
    try (WebhookReceiver target = new WebhookReceiver(k -> 200);
        DeliveryWorker a = worker();
        DeliveryWorker b = worker()) {
      register(target.url(), "[\"*\"]", slug);
      a.start();
      b.start();
      for (int i = 0; i < n; i++) {
        int seq = i;
        tx.executeWithoutResult(
            s ->
                events.publish(
                    new Event(
                        "operation.succeeded",
                        projectId,
                        Map.of("operationId", "op_race" + seq, "projectId", projectId))));
        a.wakeUp();
        b.wakeUp();
      }
      await()
          .atMost(WAIT)
          .untilAsserted(
              () -> {
                Set<String> ids = new HashSet<>();
                target.received().forEach(r -> ids.add(r.id()));
                assertThat(ids).hasSize(n);
              });
      assertThat(target.maxOverlap()).isEqualTo(1);
      assertThat(target.received()).hasSize(n); // each sent once: none twice, none lost
      await()
          .atMost(WAIT)
          .until(
              () ->
                  jdbc.sql(
                              "SELECT count(*) FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id"
                                  + " WHERE e.project_id = :p AND d.state = 'delivered'")
                          .param("p", projectId)
                          .query(Long.class)
                          .single()
                      == n);
    }
  }

  private DeliveryWorker worker() {
    return new DeliveryWorker(
        jdbc,
        cipher,
        new TargetPolicy(EnumSet.of(TargetPolicy.Kind.LOOPBACK)),
        webhookSettings,
        DeliveryWorker.Counters.NONE);
  }

  @Test
  void endedDeliveriesArePurgedAfterTheRetentionWindow() throws Exception {
    try (WebhookReceiver target = new WebhookReceiver(k -> 200)) {
      String id = subscribeAndPublishOne("hookpurge", target);
      String projectId =
          jdbc.sql("SELECT project_id FROM webhook_endpoints WHERE id = :id")
              .param("id", id)
              .query(String.class)
              .single();
      await().atMost(WAIT).untilAsserted(() -> assertThat(target.received()).hasSize(1));
      await()
          .atMost(WAIT)
          .until(
              () -> admin().get("/v1/webhooks/" + id + "/deliveries").body().contains("delivered"));
      // Age the delivered one past a one-hour window; a pending one is kept whatever its age.
      jdbc.sql(
              "UPDATE webhook_deliveries SET finished_at = now() - interval '2 hours' WHERE endpoint_id = :e")
          .param("e", id)
          .update();
      jdbc.sql(
              "UPDATE webhook_events SET created_at = now() - interval '2 hours' WHERE project_id = :p")
          .param("p", projectId)
          .update();
      assertThat(housekeeping.purge(Duration.ofHours(1))).isGreaterThanOrEqualTo(2);
      assertThat(admin().get("/v1/webhooks/" + id + "/deliveries").json().path("items").size())
          .isZero();
      assertThat(
              jdbc.sql("SELECT count(*) FROM webhook_events WHERE project_id = :p")
                  .param("p", projectId)
                  .query(Long.class)
                  .single())
          .isZero();
    }
  }
}
