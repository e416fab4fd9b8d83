package dev.miosa.data.auth.http;

import dev.miosa.data.auth.RealmService;
import dev.miosa.data.auth.RealmService.Principal;
import dev.miosa.data.auth.RealmService.Signup;
import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.auth.realm.RealmDirectory;
import dev.miosa.data.auth.session.Client;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.CrossOrigin;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The realm API under {@code AUTH_URL} = {@code /v1/auth/{realmId}}, wire-compatible with GoTrue so
 * that {@code @supabase/auth-js} works unchanged (https://github.com/supabase/auth, {@code
 * internal/api}). It authenticates requests itself (access tokens of the realm), so the api's
 * security filter lets {@code /v1/auth/**} through. Browsers may call it from any origin (CORS, no
 * cookies).
 */
@RestController
@RequestMapping("/v1/auth/{realmId}")
@CrossOrigin(
    origins = "*",
    allowedHeaders = "*",
    exposedHeaders = {GoTrueErrors.API_VERSION_HEADER, HttpHeaders.RETRY_AFTER},
    methods = {RequestMethod.GET, RequestMethod.POST, RequestMethod.PUT, RequestMethod.OPTIONS})
public class RealmController {

  private static final Pattern BEARER = Pattern.compile("^[Bb]earer (\\S+)$");

  private final RealmDirectory realms;
  private final RealmService service;
  private final JsonMapper json;
  private final GoTrueBody bodies;

  /**
   * @param realms finds realms by id
   * @param service the realm use cases
   * @param json the mapper for request and response bodies (plain, snake_case as written)
   */
  public RealmController(RealmDirectory realms, RealmService service, JsonMapper json) {
    this.realms = realms;
    this.service = service;
    this.json = json;
    this.bodies = new GoTrueBody(json);
  }

  /** {@code POST /signup}: {@code {email, password, data}} → a session (or the user). */
  @PostMapping("/signup")
  public ResponseEntity<String> signup(@PathVariable String realmId, HttpServletRequest request) {
    Realm realm = realm(realmId);
    GoTrueBody.Signup body = bodies.read(request, GoTrueBody.Signup.class);
    Signup s =
        service.signUp(
            realm, body.email(), body.phone(), body.password(), body.data(), client(request));
    return ok(s.grant() != null ? GoTrueJson.grant(s.grant()) : GoTrueJson.user(s.user()));
  }

  /** {@code POST /token?grant_type=password|refresh_token}. */
  @PostMapping("/token")
  public ResponseEntity<String> token(@PathVariable String realmId, HttpServletRequest request) {
    Realm realm = realm(realmId);
    String grantType = queryParam(request, "grant_type");
    if ("password".equals(grantType)) {
      GoTrueBody.PasswordGrant body = bodies.read(request, GoTrueBody.PasswordGrant.class);
      return ok(
          GoTrueJson.grant(
              service.passwordGrant(
                  realm, body.email(), body.phone(), body.password(), client(request))));
    }
    if ("refresh_token".equals(grantType)) {
      GoTrueBody.RefreshGrant body = bodies.read(request, GoTrueBody.RefreshGrant.class);
      return ok(GoTrueJson.grant(service.refresh(realm, body.refreshToken(), client(request))));
    }
    throw new MiosaException(ErrorCode.INVALID_CREDENTIALS, "unsupported_grant_type");
  }

  /** {@code GET /user}: the token's user. */
  @GetMapping("/user")
  public ResponseEntity<String> user(@PathVariable String realmId, HttpServletRequest request) {
    Realm realm = realm(realmId);
    return ok(GoTrueJson.user(principal(realm, request).user()));
  }

  /** {@code PUT /user}: {@code {email, password, data}} → the updated user. */
  @PutMapping("/user")
  public ResponseEntity<String> updateUser(
      @PathVariable String realmId, HttpServletRequest request) {
    Realm realm = realm(realmId);
    Principal principal = principal(realm, request);
    GoTrueBody.UserUpdate body = bodies.read(request, GoTrueBody.UserUpdate.class);
    var changes =
        new RealmService.UserChanges(
            body.email(), body.password(), body.data(), body.appMetadata(), body.phone());
    return ok(GoTrueJson.user(service.update(realm, principal, changes)));
  }

  /** {@code POST /logout?scope=global|local|others} → {@code 204}. */
  @PostMapping("/logout")
  public ResponseEntity<Void> logout(@PathVariable String realmId, HttpServletRequest request) {
    Realm realm = realm(realmId);
    service.logout(realm, principal(realm, request), queryParam(request, "scope"));
    return ResponseEntity.noContent().build();
  }

  /** {@code GET /settings}: what the realm offers. */
  @GetMapping("/settings")
  public ResponseEntity<String> settings(@PathVariable String realmId) {
    Realm realm = realm(realmId);
    return ok(GoTrueJson.settings(realm.config(), service.autoconfirm()));
  }

  /** {@code GET /health}. */
  @GetMapping("/health")
  public ResponseEntity<String> health(@PathVariable String realmId) {
    realm(realmId);
    return ok(GoTrueJson.health());
  }

  /** Renders refusals as GoTrue does. */
  @ExceptionHandler(MiosaException.class)
  public ResponseEntity<String> refused(MiosaException e, HttpServletRequest request) {
    return GoTrueErrors.render(e, request.getHeader(GoTrueErrors.API_VERSION_HEADER), json);
  }

  private Realm realm(String realmId) {
    return realms
        .find(realmId)
        .orElseThrow(() -> new MiosaException(ErrorCode.REALM_NOT_FOUND, "Auth realm not found"));
  }

  private Principal principal(Realm realm, HttpServletRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    Matcher m = header == null ? null : BEARER.matcher(header);
    if (m == null || !m.matches()) {
      throw new MiosaException(ErrorCode.UNAUTHORIZED, "This endpoint requires a Bearer token");
    }
    return service.authenticate(realm, m.group(1));
  }

  /**
   * A query parameter, read from the query string only: {@code getParameter} would consume a
   * form-encoded body (curl's default content type) that is parsed as JSON here.
   */
  static String queryParam(HttpServletRequest request, String name) {
    String query = request.getQueryString();
    if (query == null) {
      return null;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      if (key.equals(name)) {
        return eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      }
    }
    return null;
  }

  private static Client client(HttpServletRequest request) {
    return new Client(request.getRemoteAddr(), request.getHeader(HttpHeaders.USER_AGENT));
  }

  private ResponseEntity<String> ok(Map<String, Object> body) {
    return ResponseEntity.ok()
        .contentType(MediaType.APPLICATION_JSON)
        .body(json.writeValueAsString(body));
  }
}
