package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/** Bad input gets a problem detail naming the field, and nothing is created. */
class InputValidationIT extends ApiTestBase {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Bad Slug!",
        "a",
        "'; drop table x; --",
        "ends-with-dash-",
        "UPPER",
        "9starts-with-digit"
      })
  void badSlugsAre400NamingSlugAndCreateNothing(String slug) {
    long before = countProjects();
    var res = admin().post("/v1/projects", "{\"slug\":" + Http.JSON.writeValueAsString(slug) + "}");
    assertThat(res.status()).isEqualTo(400);
    assertThat(res.header("Content-Type")).startsWith("application/problem+json");
    assertThat(res.json().path("errors").get(0).path("field").asString()).isEqualTo("slug");
    assertThat(res.json().path("type").asString()).isNotBlank();
    assertThat(countProjects()).isEqualTo(before);
  }

  @Test
  void aSlugOf200CharactersIsRefused() {
    var res = admin().post("/v1/projects", "{\"slug\":\"" + "a".repeat(200) + "\"}");
    assertThat(res.status()).isEqualTo(400);
    assertThat(res.json().path("errors").get(0).path("field").asString()).isEqualTo("slug");
  }

  @Test
  void loneSurrogatesAndInvalidUtf8Are400AndNeverStoredAsQuestionMarks() {
    long before = countProjects();
    var lone = admin().post("/v1/projects", "{\"slug\":\"lone-one\",\"name\":\"a\\ud800b\"}");
    assertThat(lone.status()).as(lone.body()).isEqualTo(400);
    assertThat(lone.header("Content-Type")).startsWith("application/problem+json");
    assertThat(fields(lone.json())).containsExactly("name");
    var lowAlone = admin().post("/v1/projects", "{\"slug\":\"lone-two\",\"name\":\"\\udc00\"}");
    assertThat(fields(lowAlone.json())).containsExactly("name");

    String slug = createProject("unicode");
    var nested =
        admin()
            .post(
                "/v1/projects/" + slug + "/services",
                "{\"type\":\"postgres\",\"config\":{\"backupSchedule\":\"\\ud800\"}}");
    assertThat(nested.status()).isEqualTo(400);
    assertThat(fields(nested.json())).containsExactly("config.backupSchedule");
    long withOne = countProjects();

    byte[] prefix = "{\"slug\":\"bad-bytes\",\"name\":\"a".getBytes(StandardCharsets.UTF_8);
    byte[] suffix = "b\"}".getBytes(StandardCharsets.UTF_8);
    java.util.Map<String, byte[]> invalid =
        java.util.Map.of(
            "overlong '/'", new byte[] {(byte) 0xC0, (byte) 0xAF},
            "overlong NUL", new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0x80},
            "encoded surrogate", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            "invalid byte", new byte[] {(byte) 0xFF},
            "truncated sequence", new byte[] {(byte) 0xE2, (byte) 0x82},
            "lone continuation", new byte[] {(byte) 0x80});
    invalid.forEach(
        (what, bytes) -> {
          byte[] body = new byte[prefix.length + bytes.length + suffix.length];
          System.arraycopy(prefix, 0, body, 0, prefix.length);
          System.arraycopy(bytes, 0, body, prefix.length, bytes.length);
          System.arraycopy(suffix, 0, body, prefix.length + bytes.length, suffix.length);
          var res = admin().sendBytes("POST", "/v1/projects", "application/json", body);
          assertThat(res.status()).as(what).isEqualTo(400);
          assertThat(res.header("Content-Type")).as(what).startsWith("application/problem+json");
          assertThat(fields(res.json())).as(what).containsExactly("body");
        });
    assertThat(countProjects()).isEqualTo(withOne).isEqualTo(before + 1);

    var emoji =
        admin()
            .post(
                "/v1/projects",
                "{\"slug\":\"" + uniqueSlug("pair") + "\",\"name\":\"\\ud83d\\ude00 ok\"}");
    assertThat(emoji.status()).as(emoji.body()).isEqualTo(201);
    assertThat(emoji.json().path("name").asString()).isEqualTo("\ud83d\ude00 ok");
  }

  @Test
  void wrongJsonTypesAreNamed() {
    var res = admin().post("/v1/projects", "{\"slug\":42,\"name\":[\"x\"]}");
    assertThat(res.status()).isEqualTo(400);
    assertThat(fields(res.json())).containsExactlyInAnyOrder("slug", "name");

    String slug = createProject("types");
    var svc =
        admin()
            .post(
                "/v1/projects/" + slug + "/services",
                "{\"type\":[\"postgres\"],\"config\":\"big\"}");
    assertThat(svc.status()).isEqualTo(400);
    assertThat(fields(svc.json())).containsExactlyInAnyOrder("type", "config");

    var limit =
        admin()
            .post(
                "/v1/projects/" + slug + "/services",
                "{\"type\":\"postgres\",\"config\":{\"connectionLimit\":\"ten\"}}");
    assertThat(limit.status()).isEqualTo(400);
    assertThat(fields(limit.json())).containsExactly("config.connectionLimit");

    var token =
        admin()
            .post(
                "/v1/projects/" + slug + "/environments/production/runtime-tokens",
                "{\"ttlSeconds\":\"1h\"}");
    assertThat(token.status()).isEqualTo(400);
    assertThat(fields(token.json())).containsExactly("ttlSeconds");
    assertThat(admin().get("/v1/projects/" + slug + "/services").json().path("items").size())
        .isZero();
  }

  @Test
  void xmlAndFormBodiesAre415AndCreateNothing() {
    long before = countProjects();
    var xml =
        admin()
            .sendRaw(
                "POST",
                "/v1/projects",
                "application/xml",
                "<project><slug>xml-made</slug></project>");
    assertThat(xml.status()).isEqualTo(415);
    assertThat(xml.header("Content-Type")).startsWith("application/problem+json");
    assertThat(xml.json().path("code").asString()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
    var form =
        admin()
            .sendRaw("POST", "/v1/projects", "application/x-www-form-urlencoded", "slug=form-made");
    assertThat(form.status()).isEqualTo(415);
    assertThat(admin().get("/v1/projects/xml-made").status()).isEqualTo(404);
    assertThat(admin().get("/v1/projects/form-made").status()).isEqualTo(404);
    assertThat(countProjects()).isEqualTo(before);
  }

  @Test
  void aServiceWhoseVariablesWouldCollideWithAnothersIs409NamingBoth() {
    String slug = createProject("collide");
    String services = "/v1/projects/" + slug + "/services";
    assertThat(admin().post(services, "{\"type\":\"postgres\"}").status()).isEqualTo(202);
    var jdbc = admin().post(services, "{\"type\":\"postgres\",\"name\":\"jdbc\"}");
    assertThat(jdbc.status()).as(jdbc.body()).isEqualTo(409);
    assertThat(jdbc.header("Content-Type")).startsWith("application/problem+json");
    assertThat(jdbc.json().path("code").asString()).isEqualTo("VARIABLE_NAME_CONFLICT");
    assertThat(jdbc.json().path("detail").asString())
        .contains("postgres:jdbc", "postgres:main", "JDBC_DATABASE_URL");
    assertThat(fields(jdbc.json())).containsExactly("name");
    assertThat(admin().get(services).json().path("items").size()).isEqualTo(1);

    // In the other order too, and the same name on another type collides with nothing.
    String other = createProject("collide");
    String otherServices = "/v1/projects/" + other + "/services";
    assertThat(admin().post(otherServices, "{\"type\":\"postgres\",\"name\":\"jdbc\"}").status())
        .isEqualTo(202);
    var main = admin().post(otherServices, "{\"type\":\"postgres\"}");
    assertThat(main.status()).isEqualTo(409);
    assertThat(main.json().path("detail").asString())
        .contains("postgres:main", "postgres:jdbc", "JDBC_DATABASE_URL");
    assertThat(
            admin()
                .post(
                    otherServices,
                    "{\"type\":\"volume\",\"name\":\"jdbc\",\"config\":{\"sizeGiB\":1}}")
                .status())
        .isEqualTo(202);
  }

  @Test
  void unknownFieldsAre400NamingThem() {
    long before = countProjects();
    var res = admin().post("/v1/projects", "{\"slug\":\"unknown-field\",\"owner\":\"x\"}");
    assertThat(res.status()).isEqualTo(400);
    assertThat(res.json().path("code").asString()).isEqualTo("INVALID_REQUEST");
    assertThat(fields(res.json())).containsExactly("owner");
    assertThat(res.json().path("errors").get(0).path("message").asString()).contains("known");
    assertThat(countProjects()).isEqualTo(before);
  }

  @Test
  void numbersAreNeverCoercedToStringsNorStringsToNumbers() {
    var number = admin().post("/v1/projects", "{\"slug\":12345}");
    assertThat(number.status()).isEqualTo(400);
    assertThat(fields(number.json())).containsExactly("slug");
    assertThat(number.json().path("errors").get(0).path("message").asString())
        .isEqualTo("must be a string");
    String slug = createProject("coerce");
    String tokens = "/v1/projects/" + slug + "/environments/production/runtime-tokens";
    for (String ttl : new String[] {"\"600\"", "600.5", "true"}) {
      var res = admin().post(tokens, "{\"ttlSeconds\":" + ttl + "}");
      assertThat(res.status()).as(ttl).isEqualTo(400);
      assertThat(fields(res.json())).as(ttl).containsExactly("ttlSeconds");
    }
    assertThat(admin().post(tokens, "{\"ttlSeconds\":600}").status()).isEqualTo(201);
  }

  @Test
  void everyBadFieldIsNamedInOneAnswer() {
    long before = countProjects();
    var res =
        admin().post("/v1/projects", "{\"slug\":\"Bad Slug!\",\"name\":7,\"colour\":\"red\"}");
    assertThat(res.status()).isEqualTo(400);
    assertThat(fields(res.json())).containsExactlyInAnyOrder("slug", "name", "colour");
    assertThat(res.json().path("detail").asString()).contains("slug", "name", "colour");
    var missing = admin().post("/v1/projects", "{}");
    assertThat(missing.status()).isEqualTo(400);
    assertThat(fields(missing.json())).containsExactly("slug");
    assertThat(countProjects()).isEqualTo(before);
  }

  @Test
  void anyAcceptHeaderGetsJsonNeverA500() {
    String slug = createProject("accept");
    for (String accept :
        new String[] {
          "application/xml", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
        }) {
      var res = admin().get("/v1/projects/" + slug, java.util.Map.of("Accept", accept));
      assertThat(res.status()).isEqualTo(200);
      assertThat(res.header("Content-Type")).startsWith("application/json");
      assertThat(res.json().path("slug").asString()).isEqualTo(slug);
    }
  }

  @Test
  void bodiesOverOneMebibyteAre413AndNonObjectsAre400() {
    var big =
        admin()
            .post(
                "/v1/projects",
                "{\"slug\":\"big-body\",\"name\":\"" + "x".repeat(2 * 1024 * 1024) + "\"}");
    assertThat(big.status()).isEqualTo(413);
    assertThat(big.json().path("code").asString()).isEqualTo("PAYLOAD_TOO_LARGE");
    assertThat(admin().get("/v1/projects/big-body").status()).isEqualTo(404);
    var array = admin().post("/v1/projects", "[]");
    assertThat(array.status()).isEqualTo(400);
    assertThat(array.json().path("detail").asString()).contains("JSON object");
  }

  @Test
  void malformedJsonIs400() {
    var res = admin().post("/v1/projects", "{\"slug\": ");
    assertThat(res.status()).isEqualTo(400);
    assertThat(res.json().path("code").asString()).isEqualTo("MALFORMED_JSON");
  }

  @Test
  void unknownAndUnavailableTypesAre400NamingType() {
    String slug = createProject("kinds");
    var unknown = admin().post("/v1/projects/" + slug + "/services", "{\"type\":\"mongodb\"}");
    assertThat(unknown.status()).isEqualTo(400);
    assertThat(fields(unknown.json())).containsExactly("type");
    var badName =
        admin()
            .post(
                "/v1/projects/" + slug + "/services",
                "{\"type\":\"postgres\",\"name\":\"Main DB\"}");
    assertThat(badName.status()).isEqualTo(400);
    assertThat(fields(badName.json())).containsExactly("name");
    assertThat(admin().get("/v1/projects/" + slug + "/services").json().path("items").size())
        .isZero();
  }

  @Test
  void unknownProjectEnvironmentServiceAndOperationAre404() {
    String slug = createProject("missing");
    assertThat(admin().get("/v1/projects/no-such-project").status()).isEqualTo(404);
    assertThat(
            admin()
                .post("/v1/projects/no-such-project/services", "{\"type\":\"postgres\"}")
                .status())
        .isEqualTo(404);
    assertThat(admin().get("/v1/projects/" + slug + "/environments/nope/variables").status())
        .isEqualTo(404);
    assertThat(
            admin()
                .post("/v1/projects/" + slug + "/environments/nope/runtime-tokens", "{}")
                .status())
        .isEqualTo(404);
    assertThat(admin().get("/v1/projects/" + slug + "/services/postgres:nope").status())
        .isEqualTo(404);
    var op = admin().get("/v1/operations/op_doesnotexist");
    assertThat(op.status()).isEqualTo(404);
    assertThat(op.json().path("code").asString()).isEqualTo("OPERATION_NOT_FOUND");
  }

  @Test
  void aTakenSlugIs409() {
    String slug = createProject("dup");
    var res = admin().post("/v1/projects", "{\"slug\":\"" + slug + "\"}");
    assertThat(res.status()).isEqualTo(409);
    assertThat(res.json().path("code").asString()).isEqualTo("PROJECT_SLUG_TAKEN");
  }

  @Test
  void projectsArePaginatedWithACursor() {
    for (int i = 0; i < 3; i++) {
      createProject("page");
    }
    JsonNode first = admin().get("/v1/projects?limit=2").json();
    assertThat(first.path("items").size()).isEqualTo(2);
    String cursor = first.path("nextCursor").asString();
    assertThat(cursor).isNotBlank();
    JsonNode second = admin().get("/v1/projects?limit=2&cursor=" + cursor).json();
    assertThat(second.path("items").get(0).path("id").asString())
        .isNotEqualTo(first.path("items").get(1).path("id").asString());
    assertThat(admin().get("/v1/projects?limit=0").status()).isEqualTo(400);
    assertThat(admin().get("/v1/projects?cursor=garbage!").status()).isEqualTo(400);
  }

  static java.util.List<String> fields(JsonNode problem) {
    java.util.List<String> out = new java.util.ArrayList<>();
    problem.path("errors").forEach(e -> out.add(e.path("field").asString()));
    return out;
  }

  long countProjects() {
    long n = 0;
    String cursor = null;
    do {
      JsonNode page =
          admin()
              .get("/v1/projects?limit=100" + (cursor == null ? "" : "&cursor=" + cursor))
              .json();
      n += page.path("items").size();
      cursor =
          page.path("nextCursor").isNull() || page.path("nextCursor").isMissingNode()
              ? null
              : page.path("nextCursor").asString();
    } while (cursor != null);
    return n;
  }
}
