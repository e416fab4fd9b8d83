package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Rotating an auth realm's AUTH_JWT_SECRET through the api: new tokens carry a {@code kid} and are
 * signed with the new secret; tokens of the old one verify until the grace ends, then are refused.
 */
class AuthRotationIT extends ApiTestBase {

  static final String PASSWORD = "correct horse battery staple";

  Http realm(JsonNode vars) {
    return new Http(
        vars.path("AUTH_URL")
            .asString()
            .replaceFirst("^http://localhost:0", "http://127.0.0.1:" + port),
        null);
  }

  static Map<String, String> bearer(String token) {
    return Map.of("Authorization", "Bearer " + token);
  }

  static JsonNode header(String jwt) {
    return JsonMapper.builder()
        .build()
        .readTree(
            new String(Base64.getUrlDecoder().decode(jwt.split("\\.")[0]), StandardCharsets.UTF_8));
  }

  @Test
  void rotateKeepsOldJwtSecretUntilGraceEnds() throws Exception {
    String slug = createProject("rot-auth");
    assertThat(attachAndWait(slug, "{\"type\":\"auth\"}").path("state").asString())
        .isEqualTo("succeeded");
    String vars = "/v1/projects/" + slug + "/environments/production/variables";
    JsonNode before = admin().get(vars).json();
    String oldToken =
        realm(before)
            .post("/signup", "{\"email\":\"ada@example.com\",\"password\":\"" + PASSWORD + "\"}")
            .json()
            .path("access_token")
            .asString();
    assertThat(realm(before).get("/user", bearer(oldToken)).status()).isEqualTo(200);

    JsonNode op = Rotations.rotateAndWait(admin(), slug, "auth:main", "production", 30);
    assertThat(op.path("state").asString()).as(op.toString()).isEqualTo("succeeded");
    JsonNode after = admin().get(vars).json();
    assertThat(after.path("AUTH_JWT_SECRET").asString())
        .isNotEqualTo(before.path("AUTH_JWT_SECRET").asString());

    // The realm cache of this replica may keep the old secret for its lifetime (10 s).
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              String t = login(after);
              return !header(t)
                  .path("kid")
                  .asString()
                  .equals(header(oldToken).path("kid").asString());
            });
    String newToken = login(after);
    assertThat(header(newToken).path("kid").asString()).hasSize(16);
    assertThat(header(newToken).path("alg").asString()).isEqualTo("HS256");
    assertThat(signedWith(newToken, after.path("AUTH_JWT_SECRET").asString()))
        .as("signed with the new AUTH_JWT_SECRET, as a runtime verifies it")
        .isTrue();
    assertThat(signedWith(oldToken, before.path("AUTH_JWT_SECRET").asString())).isTrue();
    assertThat(realm(after).get("/user", bearer(newToken)).status()).isEqualTo(200);
    assertThat(realm(after).get("/user", bearer(oldToken)).status())
        .as("a token of the old secret verifies during the grace")
        .isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(90))
        .until(() -> realm(after).get("/user", bearer(oldToken)).status() == 403);
    assertThat(realm(after).get("/user", bearer(newToken)).status()).isEqualTo(200);
  }

  /** Whether a JWT's HS256 signature is that of the secret (its UTF-8 bytes as the key). */
  static boolean signedWith(String jwt, String secret) throws Exception {
    String[] parts = jwt.split("\\.");
    javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
    mac.init(
        new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    return java.security.MessageDigest.isEqual(expected, Base64.getUrlDecoder().decode(parts[2]));
  }

  private String login(JsonNode vars) {
    return realm(vars)
        .post(
            "/token?grant_type=password",
            "{\"email\":\"ada@example.com\",\"password\":\"" + PASSWORD + "\"}")
        .json()
        .path("access_token")
        .asString();
  }
}
