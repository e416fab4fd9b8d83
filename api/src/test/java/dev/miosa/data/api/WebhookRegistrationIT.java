package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Registering webhooks: refusals name the field and change nothing; admin token only. */
class WebhookRegistrationIT extends ApiTestBase {

  @Autowired JdbcClient jdbc;

  @Test
  void registrationRefusesNonPublicTargetsAndBadInputNamingTheField() {
    String slug = createProject("hookbad");
    long before = jdbc.sql("SELECT count(*) FROM webhook_endpoints").query(Long.class).single();
    for (String url :
        List.of(
            "http://10.0.0.1/",
            "http://167772161/",
            "http://0xa9.254.169.254/",
            "http://[::ffff:10.0.0.1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://0.0.0.0/",
            "http://224.0.0.1/",
            "ftp://example.com/",
            "http://user@example.com/",
            "not a url")) {
      assertField(
          admin().post("/v1/webhooks", "{\"url\":\"" + url + "\",\"events\":[\"*\"]}"), "url");
    }
    assertField(admin().post("/v1/webhooks", "{\"events\":[\"*\"]}"), "url");
    assertField(admin().post("/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/\"}"), "events");
    assertField(
        admin().post("/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/\",\"events\":[]}"), "events");
    assertField(
        admin().post("/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/\",\"events\":[\"no.such\"]}"),
        "events");
    assertField(
        admin()
            .post(
                "/v1/webhooks",
                "{\"url\":\"http://127.0.0.1:9/\",\"events\":[\"*\"],\"project\":\"missing-project\"}"),
        "project");
    assertThat(jdbc.sql("SELECT count(*) FROM webhook_endpoints").query(Long.class).single())
        .as("nothing registered by a refusal")
        .isEqualTo(before);
    // A runtime token may not manage webhooks.
    Http runtime = admin().as(mintRuntimeToken(slug, "production"));
    assertThat(runtime.get("/v1/webhooks").status()).isEqualTo(403);
    assertThat(
            runtime
                .post("/v1/webhooks", "{\"url\":\"http://127.0.0.1:9/\",\"events\":[\"*\"]}")
                .status())
        .isEqualTo(403);
    assertThat(anonymous().get("/v1/webhooks").status()).isEqualTo(401);
    assertThat(admin().get("/v1/webhooks/whk_nope/deliveries").status()).isEqualTo(404);
    assertThat(admin().delete("/v1/webhooks/whk_nope").status()).isEqualTo(404);
  }

  private static void assertField(Http.Res res, String field) {
    assertThat(res.status()).as(res.body()).isEqualTo(400);
    assertThat(res.header("Content-Type")).startsWith("application/problem+json");
    List<String> fields = new ArrayList<>();
    res.json().path("errors").forEach(e -> fields.add(e.path("field").asString()));
    assertThat(fields).as(res.body()).contains(field);
  }
}
