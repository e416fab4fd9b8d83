package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The edge lets no one in where they don't belong, whatever the spelling of the path: every route
 * family is walked with non-canonical spellings of its path, without a token and with a runtime
 * token, over a raw socket so that no client normalizes the path first.
 */
class EdgeSecurityIT extends ApiTestBase {

  @Autowired JdbcClient jdbc;
  @Autowired dev.miosa.data.api.runtime.RuntimeEnvListener listener;

  /**
   * A route: method, canonical path, body, and whether the canonical path needs the admin token.
   */
  record Route(String family, String method, String path, String body, boolean adminOnly) {}

  @Test
  void noSpellingOfAnyPathReachesAdminRoutesWithoutTheAdminToken() {
    String slug = createProject("edge");
    String runtimeToken = mintRuntimeToken(slug, "production");
    List<Route> routes =
        List.of(
            new Route("operator", "GET", "/v1/projects", null, true),
            new Route("operator", "POST", "/v1/projects", "{\"slug\":\"edge-sneaky\"}", true),
            new Route("operator", "GET", "/v1/projects/" + slug, null, true),
            new Route(
                "operator",
                "GET",
                "/v1/projects/" + slug + "/environments/production/variables",
                null,
                true),
            new Route(
                "operator",
                "POST",
                "/v1/projects/" + slug + "/environments/production/runtime-tokens",
                "{\"ttlSeconds\":60}",
                true),
            new Route(
                "operator",
                "POST",
                "/v1/projects/" + slug + "/services",
                "{\"type\":\"redis\",\"name\":\"sneaky\"}",
                true),
            new Route("operator", "DELETE", "/v1/projects/" + slug, null, true),
            new Route("actuator", "GET", "/actuator/info", null, true),
            new Route("runtime", "GET", "/v1/runtime/env", null, false),
            new Route(
                "storage",
                "POST",
                "/v1/storage/res_nosuch/signed-urls",
                "{\"key\":\"a.txt\",\"method\":\"GET\"}",
                false),
            new Route("auth", "GET", "/v1/auth/res_nosuch/settings", null, false));
    long projects = count("projects");
    long tokens = count("runtime_tokens");
    long services = count("data_services");

    SoftAssertions soft = new SoftAssertions();
    int sent = 0;
    for (Route route : routes) {
      for (String spelling : spellings(route.path())) {
        for (String token : new String[] {null, runtimeToken}) {
          RawHttp.Res res = RawHttp.send(port, route.method(), spelling, token, route.body());
          sent++;
          String what =
              route.method()
                  + " "
                  + spelling.replace("\0", "<NUL>")
                  + (token == null ? " (no token)" : " (runtime token)")
                  + " -> "
                  + res.status()
                  + " "
                  + res.body();
          soft.assertThat(res.status()).as(what).isLessThan(500);
          soft.assertThat(res.contentType()).as(what).doesNotContain("html");
          if (route.adminOnly()) {
            soft.assertThat(res.status()).as(what).isGreaterThanOrEqualTo(400);
          }
          if (res.status() >= 400 && !route.family().equals("auth")) {
            // The auth realm speaks GoTrue's JSON errors; everything else problem details.
            soft.assertThat(res.contentType()).as(what).startsWith("application/problem+json");
          }
        }
      }
    }
    soft.assertThat(count("projects")).as("projects created").isEqualTo(projects);
    soft.assertThat(count("runtime_tokens")).as("runtime tokens minted").isEqualTo(tokens);
    soft.assertThat(count("data_services")).as("data services attached").isEqualTo(services);
    soft.assertAll();
    assertThat(sent).isGreaterThan(1000);
    // The walk could have failed: the canonical paths do answer the admin token.
    assertThat(RawHttp.send(port, "GET", "/v1/projects/" + slug, ADMIN_TOKEN, null).status())
        .isEqualTo(200);
    assertThat(RawHttp.send(port, "GET", "/v1/runtime/env", runtimeToken, null).status())
        .isEqualTo(200);
  }

  @Test
  void refusalsAreProblemDetailsWithBearerChallengeAndNoSession() {
    String slug = createProject("edge-401");
    RawHttp.Res none = RawHttp.send(port, "GET", "/v1/projects/" + slug, null, null);
    assertThat(none.status()).isEqualTo(401);
    assertThat(none.contentType()).startsWith("application/problem+json");
    assertThat(none.headers().get("www-authenticate")).isEqualTo("Bearer");
    assertThat(none.headers()).doesNotContainKey("set-cookie");
    assertThat(none.body()).contains("\"code\":\"UNAUTHORIZED\"");

    RawHttp.Res forged = RawHttp.send(port, "GET", "/v1/runtime/env", "mrt_forged", null);
    assertThat(forged.status()).isEqualTo(401);
    assertThat(forged.contentType()).startsWith("application/problem+json");

    RawHttp.Res basic =
        RawHttp.send(port, "GET", "/v1/projects/" + slug, null, null); // no Basic challenge
    assertThat(basic.headers().get("www-authenticate")).doesNotContain("Basic");

    // The admin token is no runtime token: authenticated, but forbidden there.
    RawHttp.Res adminOnRuntime = RawHttp.send(port, "GET", "/v1/runtime/env", ADMIN_TOKEN, null);
    assertThat(adminOnRuntime.status()).isEqualTo(403);
    assertThat(adminOnRuntime.contentType()).startsWith("application/problem+json");
    assertThat(adminOnRuntime.body()).contains("\"code\":\"FORBIDDEN\"");

    // Outside the API nothing is served, with or without a token.
    assertThat(RawHttp.send(port, "GET", "/", null, null).status()).isEqualTo(401);
    assertThat(RawHttp.send(port, "GET", "/error", ADMIN_TOKEN, null).status()).isEqualTo(403);
  }

  @Test
  void theFirewallAndTomcatRejectionsAreProblemDetails() {
    String slug = createProject("edge-fw");
    for (String target :
        List.of(
            "/v1;/projects",
            "/v1/projects/" + slug + ";x=1",
            "/v1/%2e%2e/v1/projects",
            "/v1/projects%2f" + slug,
            "/v1//projects",
            "/v1/./projects",
            "/v1/x/../projects",
            "/v1/%zz",
            "/v1/projects\\" + slug,
            "/v1/projects/%00",
            "/v1/projects/" + slug + "%")) {
      for (String token : new String[] {null, ADMIN_TOKEN}) {
        RawHttp.Res res = RawHttp.send(port, "GET", target, token, null);
        assertThat(res.status()).as(target).isEqualTo(400);
        assertThat(res.contentType()).as(target).startsWith("application/problem+json");
        assertThat(res.body()).as(target).contains("\"status\":400");
      }
    }
  }

  @Test
  void oversizedHeadersAndUrlsAreProblemDetailsNotHtml() {
    String big = "a".repeat(20_000);
    RawHttp.Res longUrl = RawHttp.send(port, "GET", "/v1/projects/" + big, ADMIN_TOKEN, null);
    assertThat(longUrl.status()).isBetween(400, 499);
    assertThat(longUrl.contentType()).doesNotContain("html");
    RawHttp.Res longToken = RawHttp.send(port, "GET", "/v1/projects", big, null);
    assertThat(longToken.status()).isBetween(400, 499);
    assertThat(longToken.contentType()).doesNotContain("html");
  }

  @Test
  void theAuditActorIsTheAuthenticatedPrincipal() {
    String slug = createProject("edge-audit");
    admin().get("/v1/projects/" + slug + "/environments/production/variables");
    var minted =
        admin()
            .post(
                "/v1/projects/" + slug + "/environments/production/runtime-tokens",
                "{\"instanceId\":\"i-1\"}")
            .json();
    admin().as(minted.path("token").asString()).get("/v1/runtime/env");
    String projectId = admin().get("/v1/projects/" + slug).json().path("id").asString();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        jdbc.sql(
                                "SELECT DISTINCT actor FROM audit_log WHERE project_id = :p"
                                    + " ORDER BY actor")
                            .param("p", projectId)
                            .query(String.class)
                            .list())
                    .containsExactly("admin", "runtime-token:" + minted.path("id").asString()));
  }

  @Test
  void chunkedBodiesOverTheLimitAre413AndChangeNothing() {
    long projects = count("projects");
    StringBuilder big = new StringBuilder("{\"slug\":\"edge-chunked-big\",\"pad\":\"");
    big.append("x".repeat(2 * 1024 * 1024)).append("\"}");
    byte[] body = big.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    for (String token : new String[] {null, ADMIN_TOKEN}) {
      for (String target : List.of("/v1/projects", "/v1/storage/res_nosuch/signed-urls")) {
        RawHttp.Res res = RawHttp.sendChunked(port, "POST", target, token, body);
        assertThat(res.status()).as(target).isEqualTo(413);
        assertThat(res.contentType()).startsWith("application/problem+json");
      }
    }
    assertThat(count("projects")).isEqualTo(projects);
    // Under the limit a chunked body is read as usual.
    String slug = uniqueSlug("edge-chunked");
    RawHttp.Res ok =
        RawHttp.sendChunked(
            port,
            "POST",
            "/v1/projects",
            ADMIN_TOKEN,
            ("{\"slug\":\"" + slug + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8));
    assertThat(ok.status()).as(ok.body()).isEqualTo(201);
  }

  @Test
  void hostileBodiesGetBoundedAnswers() {
    StringBuilder many = new StringBuilder("{\"slug\":\"edge-many\"");
    for (int i = 0; i < 5000; i++) {
      many.append(",\"f").append(i).append("\":1");
    }
    many.append('}');
    var res = admin().post("/v1/projects", many.toString());
    assertThat(res.status()).isEqualTo(400);
    assertThat(res.json().path("errors").size()).isBetween(1, 50);
    assertThat(res.body().length()).isLessThan(20_000);
    // A duplicate key is ambiguous: refused, not "last one wins".
    var dup = admin().post("/v1/projects", "{\"slug\":\"edge-dup-a\",\"slug\":\"edge-dup-b\"}");
    assertThat(dup.status()).isEqualTo(400);
    assertThat(admin().get("/v1/projects/edge-dup-b").status()).isEqualTo(404);
  }

  @Test
  void malformedQueryStringsAre400NotServerErrors() {
    String slug = createProject("edge-query");
    String runtime = mintRuntimeToken(slug, "production");
    record Probe(int port, String target, String token) {}
    for (Probe p :
        List.of(
            new Probe(port, "/actuator/health?x=%zz", null),
            new Probe(port, "/v1/projects?x=%zz", ADMIN_TOKEN),
            new Probe(port, "/v1/projects?limit=%ff%", ADMIN_TOKEN),
            new Probe(port, "/v1/runtime/env?format=%zz", runtime),
            new Probe(listener.port(), "/v1/runtime/env?format=%zz", runtime),
            new Probe(listener.port(), "/v1/runtime/env?format=%", runtime))) {
      RawHttp.Res res = RawHttp.send(p.port(), "GET", p.target(), p.token(), null);
      assertThat(res.status()).as(p.target()).isEqualTo(400);
      assertThat(res.contentType()).as(p.target()).startsWith("application/problem+json");
    }
  }

  @Test
  void actuatorErrorsAreProblemDetailsToo() {
    RawHttp.Res res = RawHttp.send(port, "GET", "/actuator/health/nosuchcomponent", null, null);
    assertThat(res.status()).isEqualTo(404);
    assertThat(res.contentType()).startsWith("application/problem+json");
    assertThat(res.body()).contains("\"status\":404");
  }

  @Test
  void publicRoutesIgnoreAnyAuthorizationHeader() {
    for (String token : new String[] {"wrong", ADMIN_TOKEN}) {
      assertThat(RawHttp.send(port, "GET", "/actuator/health", token, null).status())
          .isEqualTo(200);
      assertThat(RawHttp.send(port, "GET", "/v3/api-docs", token, null).status()).isEqualTo(200);
    }
  }

  private long count(String table) {
    return jdbc.sql("SELECT count(*) FROM " + table).query(Long.class).single();
  }

  /**
   * Non-canonical spellings of a path: {@code ;} parameters in each segment, percent-encoded
   * letters, digits, dots and slashes, doubled slashes, dot segments, a trailing slash, upper case,
   * backslashes and NUL.
   */
  static Set<String> spellings(String canonical) {
    Set<String> out = new LinkedHashSet<>();
    String[] segs = canonical.substring(1).split("/");
    for (int i = 0; i < segs.length; i++) {
      String s = segs[i];
      out.add(join(segs, i, s + ";x"));
      out.add(join(segs, i, s + ";"));
      out.add(join(segs, i, s + ";jsessionid=1"));
      out.add(join(segs, i, pct(s.charAt(0)) + s.substring(1)));
      out.add(join(segs, i, encodeAll(s)));
      out.add(join(segs, i, "%25" + hex(s.charAt(0)) + s.substring(1)));
      out.add(join(segs, i, s.toUpperCase(Locale.ROOT)));
      out.add(join(segs, i, s + "%00"));
      out.add(join(segs, i, s + "\0"));
      out.add(join(segs, i, s + "%20"));
      out.add(join(segs, i, s + "."));
      out.add(join(segs, i, s + "%2e"));
      for (int c = 0; c < s.length(); c++) {
        if (Character.isDigit(s.charAt(c))) {
          out.add(join(segs, i, s.substring(0, c) + pct(s.charAt(c)) + s.substring(c + 1)));
        }
      }
      String before = prefix(segs, i);
      String after = suffix(segs, i);
      out.add(before + "/" + after);
      out.add(before + "/./" + after.substring(1));
      out.add(before + "/%2e/" + after.substring(1));
      out.add(before + "/x/../" + after.substring(1));
      out.add(before + "/x/%2e%2e/" + after.substring(1));
      out.add(before + "/x/.%2E/" + after.substring(1));
      if (i > 0) {
        out.add(before + "%2f" + after.substring(1));
        out.add(before + "%2F" + after.substring(1));
        out.add(before + "\\" + after.substring(1));
        out.add(before + "%5c" + after.substring(1));
        out.add(before + "/;/" + after.substring(1));
      }
    }
    out.add(canonical + "/");
    out.add(canonical + "/.");
    out.add(canonical + "/..");
    out.add(canonical + "//");
    out.add("/" + canonical);
    out.add(canonical.toUpperCase(Locale.ROOT));
    out.add("/./" + canonical.substring(1));
    out.add(canonical + "?x=/../");
    out.remove(canonical);
    return out;
  }

  private static String join(String[] segs, int i, String replacement) {
    List<String> copy = new ArrayList<>(List.of(segs));
    copy.set(i, replacement);
    return "/" + String.join("/", copy);
  }

  /** The path up to and including segment i (so "/" + rest continues it). */
  private static String prefix(String[] segs, int i) {
    return "/" + String.join("/", List.of(segs).subList(0, i + 1));
  }

  /** The rest of the path after segment i, starting with "/" (or "/" alone at the end). */
  private static String suffix(String[] segs, int i) {
    return "/" + String.join("/", List.of(segs).subList(i + 1, segs.length));
  }

  private static String pct(char c) {
    return "%" + hex(c);
  }

  private static String hex(char c) {
    return String.format("%02X", (int) c);
  }

  private static String encodeAll(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(pct(c));
    }
    return b.toString();
  }
}
