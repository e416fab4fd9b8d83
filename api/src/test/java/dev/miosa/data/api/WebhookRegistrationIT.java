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
    assertEachRefusedNamingUrl(
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
            "not a url"));
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

  @Test
  void targetsADeliveryCouldNotUseOrWouldReadOtherwiseAreRefusedAtRegistration() {
    long before = jdbc.sql("SELECT count(*) FROM webhook_endpoints").query(Long.class).single();
    assertEachRefusedNamingUrl(
        List.of(
            // a zone id: the literal did not parse, so the link-local address passed unchecked
            "http://[fe80::1%25eth0]/",
            "http://[fe80::1%eth0]/",
            // ports no connection can use
            "http://example.com:99999/",
            "http://example.com:0/",
            "http://example.com:8080:9/",
            // numeric hosts a browser reads one way (octal, hex, short) and Java's resolver
            // another: 0177.0.0.1 was checked as 127.0.0.1 and delivered to 177.0.0.1
            "http://0177.0.0.1:9/",
            "http://010.0.0.1/",
            "http://0x7f.1:9/",
            "http://127.1:9/",
            "http://2130706433:9/"));
    assertThat(jdbc.sql("SELECT count(*) FROM webhook_endpoints").query(Long.class).single())
        .as("nothing registered by a refusal")
        .isEqualTo(before);
  }

  private void assertEachRefusedNamingUrl(List<String> urls) {
    for (String url : urls) {
      assertField(
          admin().post("/v1/webhooks", "{\"url\":\"" + url + "\",\"events\":[\"*\"]}"), "url");
    }
  }

  private static void assertField(Http.Res res, String field) {
    assertThat(res.status()).as(res.body()).isEqualTo(400);
    assertThat(res.header("Content-Type")).startsWith("application/problem+json");
    List<String> fields = new ArrayList<>();
    res.json().path("errors").forEach(e -> fields.add(e.path("field").asString()));
    assertThat(fields).as(res.body()).contains(field);
  }
}
