package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.local.LocalProcesses;
import dev.miosa.data.local.TestServers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Auth realms end to end over real HTTP: a project attaches an auth service; the unmodified
 * {@code @supabase/auth-js} client (Node, from npm) signs up, signs in, refreshes, reads and
 * updates the user and signs out against {@code AUTH_URL}; python3's {@code hmac} verifies an
 * access token with {@code AUTH_JWT_SECRET}; staging, forged and {@code alg: none} tokens are
 * refused; refresh token reuse and bad input behave as GoTrue's do.
 */
class AuthRealmEndToEndIT extends ApiTestBase {

  static final String PASSWORD = "correct horse battery staple";
  static final Map<String, String> V2024 = Map.of("X-Supabase-Api-Version", "2024-01-01");

  static String slug;
  static JsonNode production;
  static JsonNode staging;

  /**
   * AUTH_URL as the test reaches it. The shared test context runs on a random port without
   * MIOSA_PUBLIC_URL, so AUTH_URL says {@code http://localhost:0}; tokens are checked against the
   * variable as given, requests go to the real port.
   */
  String reachable(JsonNode vars) {
    return vars.path("AUTH_URL")
        .asString()
        .replaceFirst("^http://localhost:0", "http://127.0.0.1:" + port);
  }

  @BeforeAll
  static void nodeClientInstalled() throws Exception {
    Path dir = nodeDir();
    if (!Files.isDirectory(dir.resolve("node_modules/@supabase/auth-js"))) {
      run(dir, Map.of(), List.of(executable("npm"), "ci", "--no-audit", "--no-fund"));
    }
  }

  synchronized void attachAuth() {
    if (slug != null) {
      return;
    }
    slug = createProject("auth");
    JsonNode op =
        attachAndWait(
            slug, "{\"type\":\"auth\",\"config\":{\"refreshTokenReuseIntervalSeconds\":2}}");
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    production = admin().get("/v1/projects/" + slug + "/environments/production/variables").json();
    staging = admin().get("/v1/projects/" + slug + "/environments/staging/variables").json();
  }

  Http realm(JsonNode vars) {
    return new Http(reachable(vars), null);
  }

  @Test
  void authJsSignsUpSignsInRefreshesUpdatesAndSignsOut() throws Exception {
    attachAuth();
    String authUrl = production.path("AUTH_URL").asString();
    assertThat(authUrl).matches("http://localhost:0/v1/auth/res_[a-z0-9]{20}");
    assertThat(
            Base64.getUrlDecoder().decode(production.path("AUTH_JWT_SECRET").asString()).length * 8)
        .isGreaterThanOrEqualTo(256);
    assertThat(staging.path("AUTH_JWT_SECRET").asString())
        .isNotEqualTo(production.path("AUTH_JWT_SECRET").asString());

    String out =
        run(
            nodeDir(),
            Map.of(
                "AUTH_URL",
                reachable(production),
                "EMAIL",
                "Alice@Example.com",
                "PASSWORD",
                PASSWORD),
            List.of(executable("node"), "auth-flow.mjs"));
    JsonNode r = Http.JSON.readTree(out.lines().reduce((a, b) -> b).orElseThrow());
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(r.path("signInUserId").asString()).isEqualTo(r.path("signUpUserId").asString());
    soft.assertThat(r.path("gotEmail").asString()).isEqualTo("alice@example.com");
    soft.assertThat(r.path("gotName").asString()).isEqualTo("Alice");
    soft.assertThat(r.path("updatedPlan").asString()).isEqualTo("pro");
    soft.assertThat(r.path("expiresIn").asInt()).isEqualTo(3600);
    soft.assertThat(r.path("afterSignOutError").asString()).isEqualTo("AuthSessionMissingError");
    soft.assertThat(r.path("afterSignOutUser").isNull()).isTrue();
    soft.assertThat(r.path("wrongPasswordStatus").asInt()).isEqualTo(400);
    soft.assertThat(r.path("wrongPasswordCode").asString()).isEqualTo("invalid_credentials");
    soft.assertThat(r.path("wrongPasswordMessage").asString())
        .isEqualTo("Invalid login credentials");
    soft.assertAll();

    // Checked independently of our code: python3's hmac with the variable as given to the runtime.
    String py =
        run(
            nodeDir(),
            Map.of(
                "TOKEN",
                r.path("signUpAccessToken").asString(),
                "SECRET",
                production.path("AUTH_JWT_SECRET").asString()),
            List.of(executable("python3"), "-c", VERIFY_PY));
    JsonNode v = Http.JSON.readTree(py.strip());
    assertThat(v.path("valid").asBoolean()).as(py).isTrue();
    assertThat(v.path("alg").asString()).isEqualTo("HS256");
    assertThat(v.path("iss").asString()).isEqualTo(authUrl);
    assertThat(v.path("aud").asString()).isEqualTo("authenticated");
    assertThat(v.path("role").asString()).isEqualTo("authenticated");
    assertThat(v.path("sub").asString()).isEqualTo(r.path("signUpUserId").asString());

    var again =
        realm(production)
            .post(
                "/signup",
                "{\"email\":\"alice@example.com\",\"password\":\"" + PASSWORD + "\"}",
                V2024);
    assertThat(again.status()).isEqualTo(422);
    assertThat(again.json().path("code").asString()).isEqualTo("user_already_exists");
  }

  @Test
  void stagingForgedAndUnsignedTokensAreRefused() {
    attachAuth();
    JsonNode session =
        realm(staging)
            .post("/signup", "{\"email\":\"sam@example.com\",\"password\":\"" + PASSWORD + "\"}")
            .json();
    String token = session.path("access_token").asString();
    assertThat(realm(staging).get("/user", bearer(token)).status()).isEqualTo(200);

    var cross = realm(production).get("/user", bearer(token));
    assertThat(cross.status()).isEqualTo(403);
    assertThat(cross.json().path("error_code").asString()).isEqualTo("bad_jwt");

    String[] parts = token.split("\\.");
    String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
    assertThat(realm(staging).get("/user", bearer(none)).status()).isEqualTo(403);
    String forged =
        parts[0] + "." + parts[1] + "." + b64("not the signature of this realm's secret");
    assertThat(realm(staging).get("/user", bearer(forged)).status()).isEqualTo(403);
    var missing = realm(staging).get("/user");
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.json().path("error_code").asString()).isEqualTo("no_authorization");
  }

  @Test
  void twoRefreshesWithinTheGraceWindowSucceedAndAThirdAfterItRevokesTheSession() throws Exception {
    attachAuth();
    Http realm = realm(production);
    JsonNode session =
        realm
            .post("/signup", "{\"email\":\"tabs@example.com\",\"password\":\"" + PASSWORD + "\"}")
            .json();
    String body = "{\"refresh_token\":\"" + session.path("refresh_token").asString() + "\"}";

    var first = realm.post("/token?grant_type=refresh_token", body);
    var second = realm.post("/token?grant_type=refresh_token", body);
    assertThat(first.status()).isEqualTo(200);
    assertThat(second.status()).isEqualTo(200);
    assertThat(second.json().path("refresh_token").asString())
        .isEqualTo(first.json().path("refresh_token").asString());

    Thread.sleep(2_500); // the realm's grace window is 2 s
    var third = realm.post("/token?grant_type=refresh_token", body, V2024);
    assertThat(third.status()).isEqualTo(400);
    assertThat(third.json().path("code").asString()).isEqualTo("refresh_token_already_used");
    assertThat(third.header("X-Supabase-Api-Version")).isEqualTo("2024-01-01");
    assertThat(realm.get("/user", bearer(first.json().path("access_token").asString())).status())
        .isEqualTo(403);
    var later =
        realm.post(
            "/token?grant_type=refresh_token",
            "{\"refresh_token\":\"" + first.json().path("refresh_token").asString() + "\"}");
    assertThat(later.json().path("error_code").asString()).isEqualTo("refresh_token_not_found");
  }

  @Test
  void badInputGetsGoTrueErrorsAndStoresNothing() throws Exception {
    attachAuth();
    Http realm = realm(staging);
    int before = users(staging);
    String longEmail = "a".repeat(10 * 1024) + "@example.com";
    record Case(String body, int status, String code, String message) {}
    List<Case> cases =
        List.of(
            new Case(
                "{\"email\":",
                400,
                "bad_json",
                "Could not parse request body as JSON: invalid JSON"),
            new Case(
                "[]",
                400,
                "bad_json",
                "Could not parse request body as JSON: the body must be a JSON object"),
            new Case(
                "{\"email\":5,\"password\":\"" + PASSWORD + "\"}",
                400,
                "bad_json",
                "Could not parse request body as JSON: field email must be a string"),
            new Case("{}", 400, "validation_failed", "Signup requires a valid password"),
            new Case(
                "{\"password\":\"" + PASSWORD + "\"}",
                400,
                "validation_failed",
                "Sign up only available with email provider"),
            new Case(
                "{\"email\":\"x@example.com\",\"password\":\"\"}",
                400,
                "validation_failed",
                "Signup requires a valid password"),
            new Case(
                "{\"email\":\"" + longEmail + "\",\"password\":\"" + PASSWORD + "\"}",
                400,
                "validation_failed",
                "An email address is too long"),
            new Case(
                "{\"email\":\"no-at-sign\",\"password\":\"" + PASSWORD + "\"}",
                400,
                "validation_failed",
                "Unable to validate email address: invalid format"),
            new Case(
                "{\"email\":\"x@example.com\",\"password\":\"12345\"}",
                422,
                "weak_password",
                "Password should be at least 6 characters."));
    SoftAssertions soft = new SoftAssertions();
    for (Case c : cases) {
      var res = realm.post("/signup", c.body());
      soft.assertThat(res.status())
          .as(c.body().substring(0, Math.min(40, c.body().length())))
          .isEqualTo(c.status());
      soft.assertThat(res.json().path("code").asInt()).isEqualTo(c.status());
      soft.assertThat(res.json().path("error_code").asString()).isEqualTo(c.code());
      soft.assertThat(res.json().path("msg").asString()).startsWith(c.message());
    }
    var weak =
        realm.post("/signup", "{\"email\":\"x@example.com\",\"password\":\"12345\"}", V2024).json();
    soft.assertThat(weak.path("code").asString()).isEqualTo("weak_password");
    soft.assertThat(weak.path("weak_password").path("reasons").get(0).asString())
        .isEqualTo("length");
    var grant = realm.post("/token?grant_type=magic", "{}");
    soft.assertThat(grant.status()).isEqualTo(400);
    var refresh = realm.post("/token?grant_type=refresh_token", "{}").json();
    soft.assertThat(refresh.path("error").asString()).isEqualTo("invalid_request");
    soft.assertThat(refresh.path("error_description").asString())
        .isEqualTo("refresh_token required");
    soft.assertAll();
    assertThat(users(staging)).isEqualTo(before);
  }

  @Test
  void repeatedFailedLoginsAnswer429WithRetryAfter() {
    attachAuth();
    Http realm = realm(production);
    realm.post("/signup", "{\"email\":\"mallory@example.com\",\"password\":\"" + PASSWORD + "\"}");
    String wrong = "{\"email\":\"mallory@example.com\",\"password\":\"guess\"}";
    for (int i = 0; i < 5; i++) {
      assertThat(realm.post("/token?grant_type=password", wrong).status()).isEqualTo(400);
    }
    var limited =
        realm.post(
            "/token?grant_type=password",
            "{\"email\":\"mallory@example.com\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(limited.status()).isEqualTo(429);
    assertThat(Long.parseLong(limited.header("Retry-After"))).isBetween(1L, 300L);
    assertThat(limited.json().path("error_code").asString()).isEqualTo("over_request_rate_limit");
  }

  @Test
  void settingsAndHealthAnswerAndUnknownRealmsAre404() {
    attachAuth();
    JsonNode settings = realm(production).get("/settings").json();
    assertThat(settings.path("external").path("email").asBoolean()).isTrue();
    assertThat(settings.path("mailer_autoconfirm").asBoolean()).isTrue();
    assertThat(realm(production).get("/health").json().path("name").asString()).isEqualTo("GoTrue");
    assertThat(anonymous().get("/v1/auth/res_doesnotexist000000000/settings").status())
        .isEqualTo(404);
  }

  @Test
  void deletingTheServiceHidesItsRealmAndPurgingDeletesItsUsers() throws Exception {
    String own = createProject("authdel");
    assertThat(attachAndWait(own, "{\"type\":\"auth\"}").path("state").asString())
        .isEqualTo("succeeded");
    JsonNode vars =
        admin().get("/v1/projects/" + own + "/environments/production/variables").json();
    realm(vars)
        .post("/signup", "{\"email\":\"temp@example.com\",\"password\":\"" + PASSWORD + "\"}");
    assertThat(users(vars)).isEqualTo(1);

    String id = deleteAndWait(own, "auth:main", "main").path("id").asString();
    assertThat(realm(vars).get("/settings").status()).as("deleted: 404").isEqualTo(404);
    assertThat(users(vars)).as("users kept while deleted").isEqualTo(1);
    JsonNode op = purgeAndWait(own, id, "main");
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    assertThat(users(vars)).isZero();
    assertThat(realm(vars).get("/settings").status()).isIn(404);
  }

  static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static int users(JsonNode vars) throws Exception {
    String url = vars.path("AUTH_URL").asString();
    String realmId = url.substring(url.lastIndexOf('/') + 1);
    try (Connection c = TestServers.postgres().connect("miosa_api_test");
        var st = c.prepareStatement("SELECT count(*) FROM auth_users WHERE realm_id = ?")) {
      st.setString(1, realmId);
      var rs = st.executeQuery();
      rs.next();
      return rs.getInt(1);
    }
  }

  static final String VERIFY_PY =
      """
      import base64, hashlib, hmac, json, os
      h, p, s = os.environ["TOKEN"].split(".")
      d = lambda x: base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
      mac = hmac.new(os.environ["SECRET"].encode(), (h + "." + p).encode(), hashlib.sha256).digest()
      c = json.loads(d(p))
      print(json.dumps({"valid": hmac.compare_digest(mac, d(s)), "alg": json.loads(d(h))["alg"],
                        "iss": c["iss"], "aud": c["aud"], "role": c["role"], "sub": c["sub"]}))
      """;

  static Path nodeDir() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("services-auth/src/test/node");
      if (Files.isRegularFile(candidate.resolve("package-lock.json"))) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException(
        "services-auth/src/test/node not found above the working directory");
  }

  static String executable(String name) {
    return LocalProcesses.findExecutable(
            name, List.of(Path.of("/usr/bin"), Path.of("/usr/local/bin")))
        .map(Path::toString)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    name
                        + " is needed by this test: install Node.js 20+ with npm (Debian: nodejs) and python3"));
  }

  static String run(Path dir, Map<String, String> env, List<String> command)
      throws IOException, InterruptedException {
    ProcessBuilder pb =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
    pb.environment().putAll(env);
    Process p = pb.start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(180, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(command.get(0) + " did not finish");
    }
    String text = new String(out, StandardCharsets.UTF_8);
    if (p.exitValue() != 0) {
      throw new AssertionError(
          String.join(" ", command.subList(0, Math.min(2, command.size()))) + " failed:\n" + text);
    }
    return text;
  }
}
