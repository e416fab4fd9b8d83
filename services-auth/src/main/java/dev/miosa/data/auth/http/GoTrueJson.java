package dev.miosa.data.auth.http;

import dev.miosa.data.auth.AuthConfig;
import dev.miosa.data.auth.RealmService.Grant;
import dev.miosa.data.auth.user.User;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders realm API answers in GoTrue's JSON shapes (snake_case; {@code models.User}, {@code
 * models.Identity}, {@code tokens.AccessTokenResponse}, {@code api.Settings}). Absent optional
 * times are left out, as Go's {@code omitempty} does; times are RFC 3339 UTC.
 */
final class GoTrueJson {

  private static final List<String> PROVIDERS =
      List.of(
          "anonymous_users",
          "apple",
          "azure",
          "bitbucket",
          "discord",
          "facebook",
          "figma",
          "fly",
          "github",
          "gitlab",
          "google",
          "keycloak",
          "kakao",
          "linkedin",
          "linkedin_oidc",
          "notion",
          "spotify",
          "slack",
          "slack_oidc",
          "workos",
          "twitch",
          "twitter",
          "email",
          "phone",
          "zoom");

  private GoTrueJson() {}

  /**
   * A user object. A decoy user (see {@code Signups}: the answer to a signup of a registered
   * address) has no identities, as in GoTrue.
   */
  static Map<String, Object> user(User u) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", u.id().toString());
    out.put("aud", User.AUDIENCE);
    out.put("role", u.role());
    out.put("email", u.email());
    putTime(out, "email_confirmed_at", u.emailConfirmedAt());
    out.put("phone", "");
    putTime(out, "confirmed_at", u.emailConfirmedAt());
    putTime(out, "last_sign_in_at", u.lastSignInAt());
    out.put("app_metadata", u.appMetadata());
    out.put("user_metadata", u.userMetadata());
    out.put("identities", u.passwordHash() == null ? List.of() : List.of(identity(u)));
    out.put("created_at", time(u.createdAt()));
    out.put("updated_at", time(u.updatedAt()));
    out.put("is_anonymous", false);
    return out;
  }

  private static Map<String, Object> identity(User u) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("email", u.email());
    data.put("email_verified", u.confirmed());
    data.put("phone_verified", false);
    data.put("sub", u.id().toString());
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("identity_id", u.identityId().toString());
    out.put("id", u.id().toString());
    out.put("user_id", u.id().toString());
    out.put("identity_data", data);
    out.put("provider", "email");
    putTime(out, "last_sign_in_at", u.lastSignInAt());
    out.put("created_at", time(u.createdAt()));
    out.put("updated_at", time(u.updatedAt()));
    out.put("email", u.email());
    return out;
  }

  /** An access token response. */
  static Map<String, Object> grant(Grant g) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("access_token", g.access().token());
    out.put("token_type", "bearer");
    out.put(
        "expires_in",
        g.access().expiresAt().getEpochSecond() - g.access().issuedAt().getEpochSecond());
    out.put("expires_at", g.access().expiresAt().getEpochSecond());
    out.put("refresh_token", g.refreshToken());
    out.put("user", user(g.user()));
    if (g.weakPassword() != null) {
      out.put(
          "weak_password",
          Map.of("message", g.weakPassword().message(), "reasons", g.weakPassword().reasons()));
    }
    return out;
  }

  /** {@code GET /settings}. */
  static Map<String, Object> settings(AuthConfig config, boolean autoconfirm) {
    Map<String, Object> external = new LinkedHashMap<>();
    PROVIDERS.forEach(p -> external.put(p, "email".equals(p)));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("external", external);
    out.put("disable_signup", config.disableSignup());
    out.put("mailer_autoconfirm", autoconfirm);
    out.put("phone_autoconfirm", false);
    out.put("sms_provider", "");
    out.put("saml_enabled", false);
    return out;
  }

  /** {@code GET /health}; the name stays {@code GoTrue} because clients probe it. */
  static Map<String, Object> health() {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("version", "miosa");
    out.put("name", "GoTrue");
    out.put("description", "GoTrue is a user registration and authentication API");
    return out;
  }

  private static void putTime(Map<String, Object> out, String key, Instant t) {
    if (t != null) {
      out.put(key, time(t));
    }
  }

  private static String time(Instant t) {
    return t.toString();
  }
}
