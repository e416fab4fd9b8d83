package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.local.TestServers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * A project attaches storage; its server code signs URLs with STORAGE_KEY at STORAGE_URL, a
 * "browser" uses them with plain HTTP; another project's key is refused; deleting the data service
 * removes the bucket and everything in it.
 */
class StorageLifecycleIT extends ApiTestBase {

  static final HttpClient BROWSER = HttpClient.newHttpClient();

  JsonNode runtimeEnv(String slug) {
    var token =
        admin()
            .post(
                "/v1/projects/" + slug + "/environments/production/runtime-tokens",
                "{\"ttlSeconds\":600}");
    assertThat(token.status()).as(token.body()).isEqualTo(201);
    var env = admin().as(token.json().path("token").asString()).get("/v1/runtime/env");
    assertThat(env.status()).isEqualTo(200);
    return env.json();
  }

  /** What the tenant's server code does: POST {STORAGE_URL}/signed-urls with its key. */
  static Http.Res sign(JsonNode vars, String body) {
    return new Http(vars.path("STORAGE_URL").asString(), vars.path("STORAGE_KEY").asString())
        .post("/signed-urls", body);
  }

  static HttpResponse<byte[]> browser(
      String method, String url, byte[] body, Map<String, String> headers) throws Exception {
    var request =
        HttpRequest.newBuilder(URI.create(url))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(request::header);
    return BROWSER.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void attachSignUploadDownloadAndDeleteRemovesTheBucket() throws Exception {
    String slug = createProject("store");
    JsonNode op =
        attachAndWait(slug, "{\"type\":\"storage\",\"config\":{\"maxObjectBytes\":10485760}}");
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    JsonNode service = admin().get("/v1/projects/" + slug + "/services/storage:main").json();
    assertThat(service.path("config").path("maxObjectBytes").asLong()).isEqualTo(10485760L);
    assertThat(service.path("environments").path("production").path("variables").toString())
        .contains("STORAGE_BUCKET", "STORAGE_URL", "STORAGE_KEY")
        .doesNotContain("msk_");

    JsonNode vars = runtimeEnv(slug);
    String bucket = vars.path("STORAGE_BUCKET").asString();
    assertThat(bucket).matches("[a-z0-9][a-z0-9-]{1,61}[a-z0-9]");
    assertThat(vars.path("STORAGE_URL").asString())
        .startsWith("http://localhost:" + port + "/v1/storage/res_");
    JsonNode staging =
        admin().get("/v1/projects/" + slug + "/environments/staging/variables").json();
    assertThat(staging.path("STORAGE_BUCKET").asString()).isNotEqualTo(bucket);

    byte[] photo = new byte[5 * 1024 * 1024];
    new Random(5).nextBytes(photo);
    var put =
        sign(
            vars,
            "{\"key\":\"photos/2026/a b+ü.jpg\",\"method\":\"PUT\",\"contentType\":\"image/jpeg\",\"contentLength\":"
                + photo.length
                + "}");
    assertThat(put.status()).as(put.body()).isEqualTo(201);
    String putUrl = put.json().path("url").asString();
    assertThat(URI.create(putUrl).getHost()).isEqualTo("localhost");
    assertThat(browser("PUT", putUrl, photo, Map.of("Content-Type", "image/jpeg")).statusCode())
        .isEqualTo(200);

    var get = sign(vars, "{\"key\":\"photos/2026/a b+ü.jpg\",\"method\":\"GET\"}");
    var download = browser("GET", get.json().path("url").asString(), null, Map.of());
    assertThat(download.statusCode()).isEqualTo(200);
    assertThat(download.body()).isEqualTo(photo);
    assertThat(download.headers().firstValue("Content-Type")).hasValue("image/jpeg");

    var tooBig = sign(vars, "{\"key\":\"big\",\"method\":\"PUT\",\"contentLength\":10485761}");
    assertThat(tooBig.status()).isEqualTo(400);
    assertThat(tooBig.json().path("errors").get(0).path("field").asString())
        .isEqualTo("contentLength");

    // Another project's key, and no key, are refused at this project's STORAGE_URL.
    String other = createProject("other");
    assertThat(attachAndWait(other, "{\"type\":\"storage\"}").path("state").asString())
        .isEqualTo("succeeded");
    JsonNode otherVars = runtimeEnv(other);
    var foreign =
        new Http(vars.path("STORAGE_URL").asString(), otherVars.path("STORAGE_KEY").asString())
            .post("/signed-urls", "{\"key\":\"photos/2026/a b+ü.jpg\",\"method\":\"GET\"}");
    assertThat(foreign.status()).isEqualTo(401);
    assertThat(foreign.json().path("code").asString()).isEqualTo("UNAUTHORIZED");
    assertThat(
            new Http(vars.path("STORAGE_URL").asString(), null)
                .post("/signed-urls", "{\"key\":\"k\",\"method\":\"GET\"}")
                .status())
        .isEqualTo(401);
    assertThat(sign(vars, "{\"key\":\"k\",\"method\":\"GET\",\"expiresInSeconds\":0}").status())
        .isEqualTo(400);
    assertThat(sign(vars, "{not json").status()).isEqualTo(400);

    // Delete and purge: the bucket and every object in it go; the key stops working.
    JsonNode deleted = deleteAndPurge(slug, "storage:main", "main");
    assertThat(deleted.path("state").asString()).as(deleted.toString()).isEqualTo("succeeded");
    assertThat(Files.exists(TestServers.s3proxy().objectsDir().resolve(bucket))).isFalse();
    assertThat(
            Files.exists(
                TestServers.s3proxy()
                    .objectsDir()
                    .resolve(staging.path("STORAGE_BUCKET").asString())))
        .isFalse();
    assertThat(browser("GET", get.json().path("url").asString(), null, Map.of()).statusCode())
        .isEqualTo(404);
    assertThat(sign(vars, "{\"key\":\"k\",\"method\":\"GET\"}").status()).isEqualTo(401);
  }

  @Test
  void signingRefusalsAreProblemDetailsWithTheirCodes() throws Exception {
    String slug = createProject("refuse");
    assertThat(attachAndWait(slug, "{\"type\":\"storage\"}").path("state").asString())
        .isEqualTo("succeeded");
    JsonNode vars = runtimeEnv(slug);

    var noKey =
        new Http(vars.path("STORAGE_URL").asString(), null)
            .post("/signed-urls", "{\"key\":\"k\",\"method\":\"GET\"}");
    assertThat(noKey.status()).isEqualTo(401);
    assertThat(noKey.header("Content-Type")).startsWith("application/problem+json");
    assertThat(noKey.header("WWW-Authenticate")).isEqualTo("Bearer");
    assertThat(noKey.json().path("code").asString()).isEqualTo("UNAUTHORIZED");
    // The key is checked before the body: without it, a bad body tells nothing about the rules.
    var anonymous = new Http(vars.path("STORAGE_URL").asString(), null);
    for (String bad : new String[] {"{not json", "{\"bucket\":\"x\"}", "{\"method\":\"PATCH\"}"}) {
      var res = anonymous.post("/signed-urls", bad);
      assertThat(res.status()).as(bad).isEqualTo(401);
      assertThat(res.json().path("code").asString()).as(bad).isEqualTo("UNAUTHORIZED");
      assertThat(anonymous.post("/objects/finalize", bad).status()).as(bad).isEqualTo(401);
    }
    String signPath = URI.create(vars.path("STORAGE_URL").asString()).getPath() + "/signed-urls";
    String key = "Authorization: Bearer " + vars.path("STORAGE_KEY").asString();
    byte[] getK = "{\"key\":\"k\",\"method\":\"GET\"}".getBytes(StandardCharsets.UTF_8);
    java.util.List<String> json =
        java.util.List.of("Content-Type: application/json", "Content-Length: " + getK.length);
    var twice =
        RawHttp.exchange(
            port,
            "POST",
            signPath,
            java.util.stream.Stream.concat(json.stream(), java.util.stream.Stream.of(key, key))
                .toList(),
            getK);
    assertThat(twice.status()).as("two Authorization headers").isEqualTo(401);
    var once =
        RawHttp.exchange(
            port,
            "POST",
            signPath,
            java.util.stream.Stream.concat(json.stream(), java.util.stream.Stream.of(key)).toList(),
            getK);
    assertThat(once.status()).isEqualTo(201);

    Map<String, String> invalid =
        Map.of(
            "{\"method\":\"PUT\",\"key\":\"\"}", "key",
            "{\"method\":\"PATCH\",\"key\":\"k\"}", "method",
            "{\"method\":\"GET\",\"key\":\"k\",\"expiresInSeconds\":604801}", "expiresInSeconds",
            "{\"method\":\"GET\",\"key\":\"k\",\"expiresInSeconds\":1.5}", "expiresInSeconds",
            "{\"method\":\"GET\",\"key\":\"k\",\"expiresInSeconds\":\"60\"}", "expiresInSeconds",
            "{\"method\":\"GET\",\"key\":\"k\",\"bucket\":\"someone-elses\"}", "bucket",
            "{\"method\":\"PUT\",\"key\":\"k\",\"contentType\":\"not a type\"}", "contentType");
    invalid.forEach(
        (body, field) -> {
          var res = sign(vars, body);
          assertThat(res.status()).as(body).isEqualTo(400);
          assertThat(res.header("Content-Type")).startsWith("application/problem+json");
          assertThat(res.json().path("code").asString()).isEqualTo("INVALID_REQUEST");
          assertThat(res.json().path("type").asString())
              .isEqualTo("https://miosa.dev/problems/invalid-request");
          assertThat(InputValidationIT.fields(res.json())).as(body).containsExactly(field);
        });

    byte[] body = "finalize me".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    String declared = "0".repeat(64);
    var lie =
        sign(
            vars,
            "{\"method\":\"PUT\",\"contentLength\":11,\"contentSha256\":\"" + declared + "\"}");
    assertThat(lie.status()).as(lie.body()).isEqualTo(201);
    assertThat(browser("PUT", lie.json().path("url").asString(), body, Map.of()).statusCode())
        .isEqualTo(200);
    String finalize =
        "{\"uploadKey\":"
            + Http.JSON.writeValueAsString(lie.json().path("uploadKey").asString())
            + "}";
    var storage =
        new Http(vars.path("STORAGE_URL").asString(), vars.path("STORAGE_KEY").asString());
    var mismatch = storage.post("/objects/finalize", finalize);
    assertThat(mismatch.status()).isEqualTo(422);
    assertThat(mismatch.json().path("code").asString()).isEqualTo("CONTENT_HASH_MISMATCH");
    assertThat(mismatch.json().path("type").asString())
        .isEqualTo("https://miosa.dev/problems/content-hash-mismatch");
    var gone = storage.post("/objects/finalize", finalize);
    assertThat(gone.status()).isEqualTo(404);
    assertThat(gone.json().path("code").asString()).isEqualTo("UPLOAD_NOT_FOUND");
  }
}
