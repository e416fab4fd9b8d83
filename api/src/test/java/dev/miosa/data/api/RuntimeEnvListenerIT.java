package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.api.runtime.RuntimeEnvListener;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The runtime env listener on its own port answers exactly what the main port answers for {@code
 * GET /v1/runtime/env}, and nothing else: every other path and spelling is refused, tokens are
 * checked the same way, entity tags give {@code 304}.
 */
class RuntimeEnvListenerIT extends ApiTestBase {

  @Autowired RuntimeEnvListener listener;

  private Http fast(String token) {
    return new Http("http://127.0.0.1:" + listener.port(), token);
  }

  @Test
  void servesTheSameBytesAsTheMainPortWithEntityTags() {
    String slug = createProject("rtl");
    attachAndWait(slug, "{\"type\":\"redis\"}");
    String token = mintRuntimeToken(slug, "production");
    for (String query : new String[] {"", "?format=dotenv", "?format=shell", "?format=json"}) {
      Http.Res main = admin().as(token).get("/v1/runtime/env" + query);
      Http.Res fast = fast(token).get("/v1/runtime/env" + query);
      assertThat(fast.status()).as(query).isEqualTo(200);
      assertThat(fast.body()).as(query).isEqualTo(main.body()).contains("REDIS_URL");
      assertThat(fast.header("Content-Type")).as(query).isEqualTo(main.header("Content-Type"));
      assertThat(fast.header("ETag")).as(query).isEqualTo(main.header("ETag")).startsWith("\"");
      assertThat(fast.header("Cache-Control")).as(query).contains("no-store");
    }
    Http.Res dotenv = fast(token).get("/v1/runtime/env", Map.of("Accept", "text/plain"));
    assertThat(dotenv.body()).startsWith("REDIS_");

    String etag = fast(token).get("/v1/runtime/env").header("ETag");
    for (Http client : new Http[] {fast(token), admin().as(token)}) {
      Http.Res again = client.get("/v1/runtime/env", Map.of("If-None-Match", etag));
      assertThat(again.status()).isEqualTo(304);
      assertThat(again.body()).isEmpty();
      Http.Res other = client.get("/v1/runtime/env", Map.of("If-None-Match", "\"stale\""));
      assertThat(other.status()).isEqualTo(200);
    }
    // Another format has another tag.
    assertThat(
            fast(token)
                .get("/v1/runtime/env?format=dotenv", Map.of("If-None-Match", etag))
                .status())
        .isEqualTo(200);
  }

  @Test
  void severalAuthorizationHeadersAre401OnEveryPortEvenWhenEachIsValid() {
    String slug = createProject("rtl-twice");
    String token = mintRuntimeToken(slug, "production");
    java.util.List<String> twiceAdmin =
        java.util.List.of(
            "Authorization: Bearer " + ADMIN_TOKEN, "Authorization: Bearer " + ADMIN_TOKEN);
    java.util.List<String> twiceRuntime =
        java.util.List.of("Authorization: Bearer " + token, "Authorization: Bearer " + token);
    RawHttp.Res admin = RawHttp.exchange(port, "GET", "/v1/projects", twiceAdmin, null);
    assertThat(admin.status()).isEqualTo(401);
    assertThat(admin.contentType()).startsWith("application/problem+json");
    assertThat(RawHttp.exchange(port, "GET", "/v1/runtime/env", twiceRuntime, null).status())
        .isEqualTo(401);
    assertThat(
            RawHttp.exchange(listener.port(), "GET", "/v1/runtime/env", twiceRuntime, null)
                .status())
        .isEqualTo(401);
    // One header is still fine.
    assertThat(
            RawHttp.exchange(
                    listener.port(), "GET", "/v1/runtime/env", twiceRuntime.subList(0, 1), null)
                .status())
        .isEqualTo(200);
  }

  @Test
  void aRuntimeTokensInstanceIdFollowsTheVolumeAttachmentRule() {
    String slug = createProject("rtl-inst");
    String tokens = "/v1/projects/" + slug + "/environments/production/runtime-tokens";
    var colon = admin().post(tokens, "{\"instanceId\":\"vm:1\"}");
    assertThat(colon.status()).isEqualTo(400);
    assertThat(InputValidationIT.fields(colon.json())).containsExactly("instanceId");
    assertThat(admin().post(tokens, "{\"instanceId\":\"vm-1.a_b\"}").status()).isEqualTo(201);
  }

  @Test
  void refusesEverythingButAValidRuntimeTokenOnTheOnePath() {
    String slug = createProject("rtl-deny");
    String token = mintRuntimeToken(slug, "production");
    int port = listener.port();
    for (String bad : new String[] {null, "mrt_forged", ADMIN_TOKEN, "", "x".repeat(600)}) {
      RawHttp.Res res = RawHttp.send(port, "GET", "/v1/runtime/env", bad, null);
      assertThat(res.status()).as(String.valueOf(bad)).isEqualTo(401);
      assertThat(res.contentType()).startsWith("application/problem+json");
      assertThat(res.headers().get("www-authenticate")).isEqualTo("Bearer");
    }
    assertThat(RawHttp.send(port, "POST", "/v1/runtime/env", token, "{}").status()).isEqualTo(405);
    assertThat(RawHttp.send(port, "GET", "/v1/runtime/env?format=xml", token, null).status())
        .isEqualTo(400);

    SoftAssertions soft = new SoftAssertions();
    for (String spelling : EdgeSecurityIT.spellings("/v1/runtime/env")) {
      String path =
          spelling.contains("?") ? spelling.substring(0, spelling.indexOf('?')) : spelling;
      RawHttp.Res res = RawHttp.send(port, "GET", spelling, token, null);
      soft.assertThat(res.status()).as(spelling).isLessThan(500);
      if (!path.equals("/v1/runtime/env")) {
        soft.assertThat(res.status()).as(spelling).isGreaterThanOrEqualTo(400);
        soft.assertThat(res.contentType()).as(spelling).startsWith("application/problem+json");
      }
    }
    for (String other : new String[] {"/v1/projects", "/actuator/health", "/", "/v1/runtime"}) {
      soft.assertThat(RawHttp.send(port, "GET", other, ADMIN_TOKEN, null).status())
          .as(other)
          .isEqualTo(404);
    }
    soft.assertAll();

    // A revoked token stops working on this port too.
    var minted =
        admin()
            .post(
                "/v1/projects/" + slug + "/environments/production/runtime-tokens",
                "{\"instanceId\":\"i-2\"}")
            .json();
    String second = minted.path("token").asString();
    assertThat(fast(second).get("/v1/runtime/env").status()).isEqualTo(200);
    admin().delete("/v1/runtime-tokens/" + minted.path("id").asString());
    assertThat(fast(second).get("/v1/runtime/env").status()).isEqualTo(401);
  }

  @Test
  void keepAliveConnectionsServeManyRequests() {
    String slug = createProject("rtl-ka");
    String token = mintRuntimeToken(slug, "production");
    Http client = fast(token);
    for (int i = 0; i < 200; i++) {
      assertThat(client.get("/v1/runtime/env").status()).isEqualTo(200);
    }
  }
}
