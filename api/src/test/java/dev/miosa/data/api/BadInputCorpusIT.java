package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A corpus of bad requests over every route of the API (docs/openapi.json): wrong JSON types, empty
 * and huge values, invalid Unicode and malformed JSON in bodies, odd ids and query values, and odd
 * framing and headers over a raw socket. None gets a 5xx; every error body is a problem detail (the
 * auth realm API answers GoTrue's JSON errors instead); no control-plane table gains or loses a
 * row.
 */
class BadInputCorpusIT extends ApiTestBase {

  @Autowired JdbcClient jdbc;

  /** One request of the corpus and what came back. */
  record Outcome(String what, int status, String contentType, String body) {}

  @Test
  void badInputNeverGets5xxOnlyProblemDetailsAndCreatesNothing() {
    String slug = createProject("corpus");
    assertThat(
            attachAndWait(slug, "{\"type\":\"volume\",\"config\":{\"sizeGiB\":1}}")
                .path("state")
                .asString())
        .isEqualTo("succeeded");
    String token = mintRuntimeToken(slug, "production");
    String project = "/v1/projects/" + slug;
    String service = project + "/services/volume:main";
    awaitNoOperationsRunning();
    Map<String, Long> before = counts();

    List<Outcome> outcomes = new ArrayList<>();
    Map<String, String> bodyRoutes = new LinkedHashMap<>();
    bodyRoutes.put("POST /v1/projects", "/v1/projects");
    bodyRoutes.put("POST environments", project + "/environments");
    bodyRoutes.put("POST services", project + "/services");
    bodyRoutes.put("POST attachments", service + "/attachments");
    bodyRoutes.put("POST snapshots", service + "/snapshots");
    bodyRoutes.put("POST resize", service + "/resize");
    bodyRoutes.put("POST backups", project + "/services/postgres:main/backups");
    bodyRoutes.put("POST backup restore", project + "/services/postgres:main/backups/bk_x/restore");
    bodyRoutes.put("POST runtime-tokens", project + "/environments/production/runtime-tokens");
    bodyRoutes.put("POST webhooks", "/v1/webhooks");
    for (var route : bodyRoutes.entrySet()) {
      for (var body : badBodies(route.getKey().equals("POST runtime-tokens")).entrySet()) {
        var res = admin().sendBytes("POST", route.getValue(), "application/json", body.getValue());
        outcomes.add(
            new Outcome(
                route.getKey() + " " + body.getKey(),
                res.status(),
                res.header("Content-Type"),
                res.body()));
      }
    }
    // Runtime routes with a runtime token, and the storage and auth APIs with no valid credential.
    Http runtime = admin().as(token);
    for (var body : badBodies(false).entrySet()) {
      // (attaching takes no body: a POST with any body attaches, so only renew and detach here)
      for (String method : List.of("PUT", "DELETE")) {
        var res =
            runtime.sendBytes(
                method,
                "/v1/runtime/volumes/volume:main/attachment",
                "application/json",
                body.getValue());
        outcomes.add(
            new Outcome(
                method + " runtime attachment " + body.getKey(),
                res.status(),
                res.header("Content-Type"),
                res.body()));
      }
      for (String path :
          List.of(
              "/v1/storage/res_abcdefghij0123456789/signed-urls",
              "/v1/storage/res_abcdefghij0123456789/objects/finalize",
              "/v1/auth/res_abcdefghij0123456789/signup",
              "/v1/auth/res_abcdefghij0123456789/token?grant_type=password")) {
        var res =
            new Http(base(), "msk_wrong")
                .sendBytes("POST", path, "application/json", body.getValue());
        outcomes.add(
            new Outcome(
                path + " " + body.getKey(), res.status(), res.header("Content-Type"), res.body()));
      }
    }
    // Odd ids, query values and methods on every other route.
    String huge = "x".repeat(5000);
    List<String[]> odd = new ArrayList<>();
    for (String id :
        List.of(huge, "%ff%fe", "%c0%af", "%ed%a0%80", "ü😀", "..%2f..", "%00", "a%20b")) {
      odd.add(new String[] {"GET", "/v1/projects/" + id});
      odd.add(new String[] {"DELETE", "/v1/projects/" + id});
      odd.add(new String[] {"POST", "/v1/projects/" + id + "/undelete"});
      odd.add(new String[] {"GET", "/v1/operations/" + id});
      odd.add(new String[] {"DELETE", "/v1/runtime-tokens/" + id});
      odd.add(new String[] {"GET", project + "/services/" + id});
      odd.add(new String[] {"GET", service + "/snapshots/" + id});
      odd.add(new String[] {"POST", service + "/snapshots/" + id + "/restore"});
      odd.add(new String[] {"GET", project + "/services/postgres:main/backups/" + id});
      odd.add(new String[] {"PUT", service + "/attachments/" + id});
      odd.add(new String[] {"DELETE", service + "/attachments/" + id});
      odd.add(new String[] {"DELETE", project + "/environments/" + id + "?confirm=" + id});
      odd.add(new String[] {"DELETE", project + "/services/" + id + "?confirm=main&purge=true"});
      odd.add(
          new String[] {
            "DELETE", project + "/environments/" + id + "?confirm=" + id + "&purge=true"
          });
      odd.add(new String[] {"POST", project + "/services/" + id + "/undelete"});
      odd.add(new String[] {"POST", project + "/environments/" + id + "/undelete"});
      odd.add(new String[] {"GET", project + "/environments/" + id + "/variables"});
      odd.add(new String[] {"GET", "/v1/auth/" + id + "/settings"});
      odd.add(new String[] {"GET", "/v1/webhooks/" + id});
      odd.add(new String[] {"DELETE", "/v1/webhooks/" + id});
      odd.add(new String[] {"GET", "/v1/webhooks/" + id + "/deliveries"});
    }
    for (String q :
        List.of(
            "limit=abc",
            "limit=-1",
            "limit=99999999999999999999",
            "cursor=%ff",
            "cursor=" + huge)) {
      odd.add(new String[] {"GET", "/v1/projects?" + q});
    }
    for (String q : List.of("state=bogus", "environment=%00", "environment=" + huge)) {
      odd.add(new String[] {"GET", project + "/services?" + q});
      odd.add(new String[] {"GET", service + "/snapshots?" + q});
      odd.add(new String[] {"GET", service + "/attachments?" + q});
      odd.add(new String[] {"GET", project + "/services/postgres:main/backups?" + q});
    }
    for (String q :
        List.of(
            "confirm=",
            "confirm=%ff",
            "confirm=main&confirm=other",
            "force=maybe",
            "purge=maybe")) {
      odd.add(new String[] {"DELETE", service + "?" + q});
      odd.add(new String[] {"DELETE", project + "/environments/production?" + q});
    }
    for (String q : List.of("fencingToken=abc", "fencingToken=-1", "fencingToken=1e3", "force=2")) {
      odd.add(new String[] {"DELETE", service + "/attachments/vm-1?" + q});
      odd.add(new String[] {"PUT", service + "/attachments/vm-1?" + q});
    }
    odd.add(new String[] {"PATCH", "/v1/projects"});
    odd.add(new String[] {"PUT", project});
    odd.add(new String[] {"GET", "/v1/runtime/env?format=xml"});
    odd.add(new String[] {"GET", "/v1/runtime/env?format=%ff"});
    for (String[] r : odd) {
      Http client = r[1].startsWith("/v1/runtime/") ? runtime : admin();
      var res = client.send(r[0], r[1], null, Map.of());
      outcomes.add(
          new Outcome(
              r[0] + " " + abbreviate(r[1]), res.status(), res.header("Content-Type"), res.body()));
    }
    // Odd framing and headers, over a raw socket.
    byte[] json = "{\"slug\":\"framing-x\"}".getBytes(StandardCharsets.UTF_8);
    String auth = "Authorization: Bearer " + ADMIN_TOKEN;
    Map<String, List<String>> framings = new LinkedHashMap<>();
    framings.put(
        "Content-Length and chunked",
        List.of(
            auth,
            "Content-Type: application/json",
            "Content-Length: 5",
            "Transfer-Encoding: chunked"));
    framings.put(
        "two Content-Lengths",
        List.of(
            auth,
            "Content-Type: application/json",
            "Content-Length: 3",
            "Content-Length: " + json.length));
    framings.put(
        "negative Content-Length",
        List.of(auth, "Content-Type: application/json", "Content-Length: -1"));
    framings.put(
        "Content-Length not a number",
        List.of(auth, "Content-Type: application/json", "Content-Length: ten"));
    framings.put(
        "bad chunk size",
        List.of(auth, "Content-Type: application/json", "Transfer-Encoding: chunked"));
    framings.put(
        "unknown transfer coding",
        List.of(
            auth,
            "Content-Type: application/json",
            "Transfer-Encoding: gzip, chunked",
            "Content-Length: " + json.length));
    framings.put(
        "Content-Type garbage",
        List.of(auth, "Content-Type: ;;;/", "Content-Length: " + json.length));
    framings.put("no Content-Type", List.of(auth, "Content-Length: " + json.length));
    framings.put(
        "header without colon",
        List.of(auth, "Content-Type application/json", "Content-Length: " + json.length));
    framings.put(
        "obs-fold",
        List.of(
            auth, "Content-Type: application/json", " folded", "Content-Length: " + json.length));
    framings.put(
        "non-ASCII bearer",
        List.of(
            "Authorization: Bearer t\u00f6k\u00e9n",
            "Content-Type: application/json",
            "Content-Length: " + json.length));
    framings.put(
        "Basic scheme",
        List.of(
            "Authorization: Basic YWRtaW46YWRtaW4=",
            "Content-Type: application/json",
            "Content-Length: " + json.length));
    framings.put(
        "two Authorization",
        List.of(auth, auth, "Content-Type: application/json", "Content-Length: " + json.length));
    framings.put(
        "empty bearer",
        List.of(
            "Authorization: Bearer ",
            "Content-Type: application/json",
            "Content-Length: " + json.length));
    framings.put(
        "huge bearer",
        List.of(
            "Authorization: Bearer " + "a".repeat(6000),
            "Content-Type: application/json",
            "Content-Length: " + json.length));
    framings.put(
        "Expect unknown",
        List.of(
            auth,
            "Expect: 200-ok",
            "Content-Type: application/json",
            "Content-Length: " + json.length));
    for (var f : framings.entrySet()) {
      byte[] body =
          f.getKey().equals("bad chunk size")
              ? "zz\r\n{}\r\n0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)
              : json;
      var res = RawHttp.exchange(port, "POST", "/v1/projects", f.getValue(), body);
      outcomes.add(
          new Outcome("framing: " + f.getKey(), res.status(), res.contentType(), res.body()));
    }
    for (String line :
        List.of(
            "FOO /v1/projects HTTP/1.1",
            "GET /v1/projects HTTP/9.9",
            "GET http://evil.example/v1/projects HTTP/1.1",
            "GET /v1/projects/%zz HTTP/1.1",
            "GET /v1/projects/a\tb HTTP/1.1")) {
      byte[] raw =
          (line + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + auth + "\r\n\r\n")
              .getBytes(StandardCharsets.ISO_8859_1);
      var res = RawHttp.exchange(port, raw);
      outcomes.add(
          new Outcome("request line: " + line, res.status(), res.contentType(), res.body()));
    }

    assertThat(outcomes).hasSizeGreaterThanOrEqualTo(150);
    SoftAssertions soft = new SoftAssertions();
    for (Outcome o : outcomes) {
      String what = o.what() + " -> " + abbreviate(o.body());
      if (o.what().startsWith("framing: unknown transfer coding")
          || o.what().startsWith("request line: GET /v1/projects HTTP/9.9")) {
        // Tomcat's 501 (unknown transfer coding) and 505 (HTTP version) become a 400 that says
        // which: the client's request, not a fault of the service.
        soft.assertThat(o.status()).as(what).isEqualTo(400);
        soft.assertThat(o.body()).as(what).containsAnyOf("transfer coding", "HTTP version");
      } else if (o.what().startsWith("GET ") && o.what().contains("?")) {
        // A list ignores a filter it does not take; a bad value of one it takes is a 4xx.
        soft.assertThat(o.status()).as(what).isLessThan(500);
      } else {
        soft.assertThat(o.status()).as(what).isBetween(400, 499);
      }
      if (o.status() < 400) {
        soft.assertThat(o.contentType()).as(what).startsWith("application/json");
      } else if (o.what().startsWith("/v1/auth/") || o.what().contains(" /v1/auth/")) {
        // GoTrue's JSON errors from the realm API; the firewall's refusals are problem details.
        soft.assertThat(o.contentType()).as(what).containsAnyOf("application/json", "problem+json");
      } else {
        soft.assertThat(o.contentType()).as(what).startsWith("application/problem+json");
      }
    }
    soft.assertThat(counts()).as("no control-plane row created or deleted").isEqualTo(before);
    soft.assertAll();
  }

  /** Bad JSON bodies: wrong types, empty, huge, invalid Unicode, malformed. */
  static Map<String, byte[]> badBodies(boolean emptyIsValid) {
    Map<String, String> text = new LinkedHashMap<>();
    if (!emptyIsValid) {
      text.put("empty object", "{}");
    }
    text.put("array", "[]");
    text.put("string", "\"text\"");
    text.put("number", "42");
    text.put("null", "null");
    text.put(
        "wrong types",
        "{\"slug\":1,\"name\":[],\"type\":{},\"environment\":true,\"instanceId\":1.5,\"sizeGiB\":\"2\",\"ttlSeconds\":\"60\"}");
    text.put("huge string", "{\"slug\":\"" + "a".repeat(200_000) + "\",\"environment\":\"x\"}");
    text.put("deep nesting", "{\"config\":" + "[".repeat(5000) + "]".repeat(5000) + "}");
    text.put("huge number", "{\"sizeGiB\":1e400,\"ttlSeconds\":99999999999999999999999}");
    text.put("lone surrogate", "{\"slug\":\"a\\ud800\",\"environment\":\"\\udc00\"}");
    text.put("NUL", "{\"slug\":\"a\\u0000b\",\"environment\":\"\\u0000\"}");
    text.put("unclosed", "{\"slug\":");
    text.put("trailing comma", "{\"slug\":\"abc\",}");
    text.put("single quotes", "{'slug':'abc'}");
    text.put(
        "duplicate keys", "{\"environment\":\"production\",\"environment\":\"staging\",\"x\":1}");
    text.put("trailing garbage", "{} {}");
    text.put("unknown field", "{\"bucket\":\"other\",\"projectId\":\"prj_x\"}");
    Map<String, byte[]> out = new LinkedHashMap<>();
    text.forEach((k, v) -> out.put(k, v.getBytes(StandardCharsets.UTF_8)));
    if (!emptyIsValid) {
      out.put("no body", new byte[0]);
    }
    out.put("overlong UTF-8", withBytes(0xC0, 0xAF));
    out.put("invalid UTF-8", withBytes(0xFF));
    out.put("encoded surrogate", withBytes(0xED, 0xA0, 0x80));
    return out;
  }

  private static byte[] withBytes(int... bytes) {
    byte[] head = "{\"slug\":\"a".getBytes(StandardCharsets.UTF_8);
    byte[] tail = "\",\"environment\":\"x\"}".getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + bytes.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    for (int i = 0; i < bytes.length; i++) {
      out[head.length + i] = (byte) bytes[i];
    }
    System.arraycopy(tail, 0, out, head.length + bytes.length, tail.length);
    return out;
  }

  private String base() {
    return "http://127.0.0.1:" + port;
  }

  private static String abbreviate(String s) {
    return s == null || s.length() <= 160 ? s : s.substring(0, 160) + "...";
  }

  /** Waits until no operation is pending or running (earlier tests' work), so counts are stable. */
  private void awaitNoOperationsRunning() {
    await("operations of earlier tests to finish")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .until(
            () ->
                jdbc.sql("SELECT count(*) FROM operations WHERE state IN ('pending', 'running')")
                    .query(Long.class)
                    .single(),
            n -> n == 0);
  }

  /** Row counts of every control-plane table but the audit log (reads are audited by design). */
  private Map<String, Long> counts() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String table :
        jdbc.sql(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
                    + " AND table_type = 'BASE TABLE' AND table_name NOT IN"
                    + " ('audit_log', 'flyway_schema_history') ORDER BY table_name")
            .query(String.class)
            .list()) {
      out.put(table, jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single());
    }
    return out;
  }
}
