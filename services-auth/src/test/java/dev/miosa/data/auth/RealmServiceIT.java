package dev.miosa.data.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.miosa.data.auth.RealmService.Grant;
import dev.miosa.data.auth.RealmService.Principal;
import dev.miosa.data.auth.RealmService.UserChanges;
import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.auth.session.Client;
import dev.miosa.data.auth.session.SessionStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The realm use cases against a real control-plane database, with a clock moved by hand. */
class RealmServiceIT {

  static final Client ALICE_LAPTOP = new Client("192.0.2.10", "test");
  static final String PASSWORD = "correct horse battery";

  static ControlPlane cp;
  static RealmService service;
  static SessionStore sessions;

  @BeforeAll
  static void start() throws Exception {
    cp = new ControlPlane(AuthSettings.defaults("http://localhost:8080"));
    service = cp.service;
    sessions = new SessionStore(cp.jdbc);
  }

  static Realm realm() {
    return cp.newRealm("production", Map.of());
  }

  static Grant signUp(Realm realm, String email) {
    return service
        .signUp(realm, email, null, PASSWORD, Map.of("name", "Alice"), ALICE_LAPTOP)
        .grant();
  }

  @Test
  void signupAnswersASessionWhoseTokenIsSignedWithThePlainSecret() throws Exception {
    Realm realm = realm();
    Grant grant = signUp(realm, "alice@example.com");

    String[] parts = grant.access().token().split("\\.");
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(
        new SecretKeySpec(
            realm.signingSecret().reveal().getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    byte[] expected = mac.doFinal((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
    assertThat(Base64.getUrlDecoder().decode(parts[2])).isEqualTo(expected);

    String header = new String(Base64.getUrlDecoder().decode(parts[0]), StandardCharsets.UTF_8);
    String payload = new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8);
    Map<String, Object> claims = cp.json.readValue(payload, Map.class);
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(header).contains("\"alg\":\"HS256\"");
    soft.assertThat(claims).containsEntry("sub", grant.user().id().toString());
    soft.assertThat(claims).containsEntry("aud", "authenticated");
    soft.assertThat(claims).containsEntry("role", "authenticated");
    soft.assertThat(claims).containsEntry("email", "alice@example.com");
    soft.assertThat(claims).containsEntry("iss", realm.issuer());
    soft.assertThat(claims).containsKeys("session_id", "iat", "exp");
    soft.assertThat(
            ((Number) claims.get("exp")).longValue() - ((Number) claims.get("iat")).longValue())
        .isEqualTo(3600);
    soft.assertThat(grant.user().userMetadata()).containsEntry("name", "Alice");
    soft.assertThat(grant.user().confirmed()).isTrue();
    soft.assertAll();
  }

  @Test
  void anyLetterCaseAndCompatibilityFormOfAnAddressIsOneUser() {
    Realm realm = realm();
    Grant grant = signUp(realm, "  Alice@Example.com ");
    assertThat(grant.user().email()).isEqualTo("alice@example.com");

    assertThatThrownBy(() -> signUp(realm, "alice@example.com"))
        .isInstanceOf(MiosaException.class)
        .extracting("code")
        .isEqualTo(ErrorCode.USER_ALREADY_EXISTS);
    // Full-width letters and the Kelvin sign are compatibility forms of ASCII letters.
    assertThatThrownBy(() -> signUp(realm, "ＡＬＩＣＥ@example.com"))
        .extracting("code")
        .isEqualTo(ErrorCode.USER_ALREADY_EXISTS);
    assertThat(cp.count("auth_users", realm.id())).isEqualTo(1);

    for (String spelling : List.of("alice@example.com", "ALICE@EXAMPLE.COM", "aLiCe@example.COM")) {
      Grant login = service.passwordGrant(realm, spelling, null, PASSWORD, ALICE_LAPTOP);
      assertThat(login.user().id()).as(spelling).isEqualTo(grant.user().id());
    }
    Realm other = realm();
    Grant kelvin = signUp(other, "\u212Aelvin@example.com");
    assertThat(
            service
                .passwordGrant(other, "kelvin@example.com", null, PASSWORD, ALICE_LAPTOP)
                .user()
                .id())
        .isEqualTo(kelvin.user().id());
    Grant strasse = signUp(other, "straße@example.de");
    assertThat(
            service
                .passwordGrant(other, "STRASSE@example.de", null, PASSWORD, ALICE_LAPTOP)
                .user()
                .id())
        .isEqualTo(strasse.user().id());
  }

  @Test
  void unknownEmailAndWrongPasswordGetTheSameAnswer() {
    Realm realm = realm();
    signUp(realm, "bob@example.com");
    MiosaException unknown =
        catchAuth(
            () -> service.passwordGrant(realm, "nobody@example.com", null, PASSWORD, ALICE_LAPTOP));
    MiosaException wrong =
        catchAuth(
            () ->
                service.passwordGrant(
                    realm, "bob@example.com", null, "wrong password", ALICE_LAPTOP));
    assertThat(unknown.code()).isEqualTo(ErrorCode.INVALID_CREDENTIALS).isEqualTo(wrong.code());
    assertThat(unknown.getMessage())
        .isEqualTo("Invalid login credentials")
        .isEqualTo(wrong.getMessage());
  }

  @Test
  void repeatedFailedLoginsAreRefusedPerRealmEmailAndAddressUntilTheWindowEnds() {
    Realm realm = realm();
    signUp(realm, "carol@example.com");
    Client attacker = new Client("198.51.100.7", null);
    for (int i = 0; i < 5; i++) {
      assertThat(
              catchAuth(
                      () ->
                          service.passwordGrant(
                              realm, "carol@example.com", null, "guess", attacker))
                  .code())
          .isEqualTo(ErrorCode.INVALID_CREDENTIALS);
    }
    MiosaException limited =
        catchAuth(
            () -> service.passwordGrant(realm, "Carol@Example.com", null, PASSWORD, attacker));
    assertThat(limited.code()).isEqualTo(ErrorCode.RATE_LIMITED);
    assertThat(limited.retryAfter().toSeconds()).isBetween(1L, 300L);

    // The real user elsewhere is not locked out; unknown emails are counted the same way.
    assertThat(
            service
                .passwordGrant(realm, "carol@example.com", null, PASSWORD, ALICE_LAPTOP)
                .user()
                .email())
        .isEqualTo("carol@example.com");
    for (int i = 0; i < 5; i++) {
      catchAuth(() -> service.passwordGrant(realm, "ghost@example.com", null, "guess", attacker));
    }
    assertThat(
            catchAuth(
                    () ->
                        service.passwordGrant(realm, "ghost@example.com", null, "guess", attacker))
                .code())
        .isEqualTo(ErrorCode.RATE_LIMITED);

    cp.clock.advance(Duration.ofMinutes(5).plusSeconds(1));
    assertThat(
            service
                .passwordGrant(realm, "carol@example.com", null, PASSWORD, attacker)
                .user()
                .email())
        .isEqualTo("carol@example.com");
  }

  @Test
  void aHundredBytePasswordIsAcceptedWhole() {
    Realm realm = realm();
    String longPassword = "p".repeat(50) + "q".repeat(50);
    service.signUp(realm, "dave@example.com", null, longPassword, null, ALICE_LAPTOP);
    assertThat(
            service
                .passwordGrant(realm, "dave@example.com", null, longPassword, ALICE_LAPTOP)
                .user()
                .email())
        .isEqualTo("dave@example.com");
    // bcrypt would have compared only the first 72 bytes.
    assertThat(
            catchAuth(
                    () ->
                        service.passwordGrant(
                            realm,
                            "dave@example.com",
                            null,
                            longPassword.substring(0, 72),
                            ALICE_LAPTOP))
                .code())
        .isEqualTo(ErrorCode.INVALID_CREDENTIALS);
  }

  @Test
  void refusedSignupsStoreNothing() {
    Realm realm = cp.newRealm("production", Map.of("passwordMinLength", 10));
    SoftAssertions soft = new SoftAssertions();
    soft.assertThat(signupError(realm, "erin@example.com", ""))
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    soft.assertThat(signupError(realm, "erin@example.com", null))
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    soft.assertThat(signupError(realm, null, PASSWORD)).isEqualTo(ErrorCode.INVALID_REQUEST);
    soft.assertThat(signupError(realm, "a".repeat(10 * 1024) + "@example.com", PASSWORD))
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    soft.assertThat(signupError(realm, "not-an-address", PASSWORD))
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    soft.assertThat(signupError(realm, "erin@example.com", "short"))
        .isEqualTo(ErrorCode.WEAK_PASSWORD);
    soft.assertThat(signupError(realm, "erin@example.com", "x".repeat(1025)))
        .isEqualTo(ErrorCode.INVALID_REQUEST);
    soft.assertAll();
    assertThat(cp.count("auth_users", realm.id())).isZero();
    assertThat(cp.count("auth_sessions", realm.id())).isZero();
    MiosaException weak =
        catchAuth(
            () -> service.signUp(realm, "erin@example.com", null, "short", null, ALICE_LAPTOP));
    assertThat(weak.getMessage()).isEqualTo("Password should be at least 10 characters.");
    assertThat(AuthRefusals.weakPasswordReasons(weak)).containsExactly("length");
  }

  @Test
  void refreshRotatesAndAReuseWithinTheGraceWindowAnswersTheSameLiveToken() {
    Realm realm = realm();
    Grant first = signUp(realm, "frank@example.com");
    Grant a = service.refresh(realm, first.refreshToken(), ALICE_LAPTOP);
    Grant b = service.refresh(realm, first.refreshToken(), ALICE_LAPTOP);
    assertThat(a.refreshToken()).isNotEqualTo(first.refreshToken()).isEqualTo(b.refreshToken());
    assertThat(sessions.countLiveTokens(sessionOf(realm, a))).isEqualTo(1);

    // The chain is followed: the first token still leads to the live one after another rotation.
    Grant c = service.refresh(realm, a.refreshToken(), ALICE_LAPTOP);
    assertThat(service.refresh(realm, first.refreshToken(), ALICE_LAPTOP).refreshToken())
        .isEqualTo(c.refreshToken());
    assertThat(service.authenticate(realm, c.access().token()).user().email())
        .isEqualTo("frank@example.com");
  }

  @Test
  void aReuseAfterTheGraceWindowRevokesTheWholeSession() {
    Realm realm = realm();
    Grant first = signUp(realm, "grace@example.com");
    Grant second = service.refresh(realm, first.refreshToken(), ALICE_LAPTOP);
    cp.clock.advance(Duration.ofSeconds(11));

    MiosaException reuse =
        catchAuth(() -> service.refresh(realm, first.refreshToken(), ALICE_LAPTOP));
    assertThat(reuse.code()).isEqualTo(ErrorCode.REFRESH_TOKEN_ALREADY_USED);
    assertThat(reuse.getMessage()).isEqualTo("Invalid Refresh Token: Already Used");
    assertThat(catchAuth(() -> service.refresh(realm, second.refreshToken(), ALICE_LAPTOP)).code())
        .isEqualTo(ErrorCode.REFRESH_TOKEN_NOT_FOUND);
    assertThat(catchAuth(() -> service.authenticate(realm, second.access().token())).code())
        .isEqualTo(ErrorCode.SESSION_NOT_FOUND);
  }

  @Test
  void concurrentRefreshesWithOneTokenLeaveOneLiveToken() throws Exception {
    Realm realm = realm();
    Grant first = signUp(realm, "heidi@example.com");
    int n = 8;
    var pool = Executors.newFixedThreadPool(n);
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Grant>> results = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Callable<Grant> call =
          () -> {
            go.await();
            return service.refresh(realm, first.refreshToken(), ALICE_LAPTOP);
          };
      results.add(pool.submit(call));
    }
    go.countDown();
    Set<String> issued = new HashSet<>();
    for (var f : results) {
      issued.add(f.get().refreshToken());
    }
    pool.shutdown();
    assertThat(issued).hasSize(1);
    assertThat(sessions.countLiveTokens(sessionOf(realm, first))).isEqualTo(1);
  }

  @Test
  void tokensOfAnotherRealmOrSecretOrAlgorithmAreRefused() {
    Realm production = realm();
    Realm staging = cp.newRealm("staging", Map.of());
    Grant stagingGrant = signUp(staging, "ivan@example.com");
    signUp(production, "ivan@example.com");

    assertThat(
            catchAuth(() -> service.authenticate(production, stagingGrant.access().token())).code())
        .isEqualTo(ErrorCode.BAD_JWT);
    assertThat(
            catchAuth(() -> service.refresh(production, stagingGrant.refreshToken(), ALICE_LAPTOP))
                .code())
        .isEqualTo(ErrorCode.REFRESH_TOKEN_NOT_FOUND);

    String[] parts = stagingGrant.access().token().split("\\.");
    String none = b64("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
    assertThat(catchAuth(() -> service.authenticate(staging, none)).code())
        .isEqualTo(ErrorCode.BAD_JWT);
    String hs512 = b64("{\"alg\":\"HS512\",\"typ\":\"JWT\"}") + "." + parts[1] + "." + parts[2];
    assertThat(catchAuth(() -> service.authenticate(staging, hs512)).code())
        .isEqualTo(ErrorCode.BAD_JWT);
    assertThat(catchAuth(() -> service.authenticate(staging, "not.a.jwt")).code())
        .isEqualTo(ErrorCode.BAD_JWT);
  }

  @Test
  void expiredTokensAreRefusedOnceTheLeewayIsUsedUp() {
    Realm realm = realm();
    Grant grant = signUp(realm, "judy@example.com");
    cp.clock.advance(Duration.ofSeconds(3600 + 5));
    assertThat(service.authenticate(realm, grant.access().token()).user().email())
        .isEqualTo("judy@example.com");
    cp.clock.advance(Duration.ofSeconds(10));
    MiosaException expired = catchAuth(() -> service.authenticate(realm, grant.access().token()));
    assertThat(expired.code()).isEqualTo(ErrorCode.BAD_JWT);
    assertThat(expired.getMessage()).contains("expired");
  }

  @Test
  void logoutScopesEndTheRightSessions() {
    Realm realm = realm();
    Grant one = signUp(realm, "ken@example.com");
    Grant two = service.passwordGrant(realm, "ken@example.com", null, PASSWORD, ALICE_LAPTOP);
    Grant three = service.passwordGrant(realm, "ken@example.com", null, PASSWORD, ALICE_LAPTOP);

    service.logout(realm, service.authenticate(realm, one.access().token()), "local");
    assertThat(catchAuth(() -> service.authenticate(realm, one.access().token())).code())
        .isEqualTo(ErrorCode.SESSION_NOT_FOUND);
    service.logout(realm, service.authenticate(realm, two.access().token()), "others");
    assertThat(catchAuth(() -> service.authenticate(realm, three.access().token())).code())
        .isEqualTo(ErrorCode.SESSION_NOT_FOUND);
    Principal still = service.authenticate(realm, two.access().token());
    assertThat(catchAuth(() -> service.logout(realm, still, "everywhere")).code())
        .isEqualTo(ErrorCode.INVALID_REQUEST);

    Grant four = service.passwordGrant(realm, "ken@example.com", null, PASSWORD, ALICE_LAPTOP);
    service.logout(realm, service.authenticate(realm, four.access().token()), null);
    assertThat(sessions.countSessions(four.user().id())).isZero();
  }

  @Test
  void updateChangesEmailPasswordAndMetadata() {
    Realm realm = realm();
    Grant laptop = signUp(realm, "leo@example.com");
    Grant phone = service.passwordGrant(realm, "leo@example.com", null, PASSWORD, ALICE_LAPTOP);
    signUp(realm, "taken@example.com");
    Principal me = service.authenticate(realm, laptop.access().token());

    assertThat(
            catchAuth(
                    () ->
                        service.update(
                            realm,
                            me,
                            new UserChanges("Taken@example.com", null, null, null, null)))
                .code())
        .isEqualTo(ErrorCode.EMAIL_EXISTS);
    assertThat(
            catchAuth(
                    () ->
                        service.update(
                            realm, me, new UserChanges(null, PASSWORD, null, null, null)))
                .code())
        .isEqualTo(ErrorCode.SAME_PASSWORD);
    assertThat(
            catchAuth(
                    () ->
                        service.update(
                            realm,
                            me,
                            new UserChanges(null, null, null, Map.of("role", "admin"), null)))
                .code())
        .isEqualTo(ErrorCode.FORBIDDEN);

    var data = new java.util.HashMap<String, Object>();
    data.put("plan", "pro");
    data.put("name", null);
    var updated =
        service.update(
            realm, me, new UserChanges("Leo.New@Example.com", "new password 2", data, null, null));
    assertThat(updated.email()).isEqualTo("leo.new@example.com");
    assertThat(updated.userMetadata()).containsEntry("plan", "pro").doesNotContainKey("name");

    assertThat(
            service
                .passwordGrant(realm, "leo.new@example.com", null, "new password 2", ALICE_LAPTOP)
                .user()
                .id())
        .isEqualTo(laptop.user().id());
    // A password change ends the user's other sessions, not this one.
    assertThat(catchAuth(() -> service.authenticate(realm, phone.access().token())).code())
        .isEqualTo(ErrorCode.SESSION_NOT_FOUND);
    assertThat(service.authenticate(realm, laptop.access().token()).user().email())
        .isEqualTo("leo.new@example.com");
  }

  private static java.util.UUID sessionOf(Realm realm, Grant grant) {
    return service.authenticate(realm, grant.access().token()).sessionId();
  }

  private static ErrorCode signupError(Realm realm, String email, String password) {
    return catchAuth(() -> service.signUp(realm, email, null, password, null, ALICE_LAPTOP)).code();
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  static MiosaException catchAuth(Runnable r) {
    try {
      r.run();
    } catch (MiosaException e) {
      return e;
    }
    throw new AssertionError("expected an MiosaException");
  }
}
