package dev.miosa.data.auth;

import dev.miosa.data.auth.RealmService.Grant;
import dev.miosa.data.auth.RealmService.Principal;
import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.auth.session.Client;
import dev.miosa.data.auth.session.RefreshTokens;
import dev.miosa.data.auth.session.SessionStore;
import dev.miosa.data.auth.token.AccessTokens;
import dev.miosa.data.auth.user.User;
import dev.miosa.data.auth.user.UserStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/**
 * A user's sessions: started by a signup or a password sign-in, found again from an access token
 * (user and session rows must still exist), ended by logout (GoTrue's {@code logout.go}).
 */
final class Sessions {

  private final UserStore users;
  private final SessionStore sessions;
  private final AccessTokens tokens;
  private final Clock clock;

  Sessions(UserStore users, SessionStore sessions, AccessTokens tokens, Clock clock) {
    this.users = users;
    this.sessions = sessions;
    this.tokens = tokens;
    this.clock = clock;
  }

  /** The current time as the store keeps it (microseconds). */
  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** Starts a session with its first refresh token; call inside the use case's transaction. */
  Grant start(Realm realm, User user, Instant now, Client client) {
    UUID sessionId = UUID.randomUUID();
    sessions.createSession(realm.id(), sessionId, user.id(), now, client);
    String refresh = RefreshTokens.newToken();
    sessions.insertToken(realm.id(), sessionId, RefreshTokens.hash(refresh), null, now);
    users.touchSignIn(user.id(), now);
    User signedIn =
        new User(
            user.id(),
            user.realmId(),
            user.email(),
            user.emailKey(),
            user.passwordHash(),
            user.role(),
            user.emailConfirmedAt(),
            now,
            user.appMetadata(),
            user.userMetadata(),
            user.identityId(),
            user.createdAt(),
            now);
    return new Grant(tokens.issue(realm, signedIn, sessionId, now), refresh, signedIn, null);
  }

  /** See {@link RealmService#authenticate}. */
  Principal authenticate(Realm realm, String accessToken) {
    AccessTokens.Verified v = tokens.verify(realm, accessToken);
    User user =
        users
            .findById(realm.id(), v.userId())
            .orElseThrow(
                () ->
                    new MiosaException(
                        ErrorCode.USER_NOT_FOUND, "User from sub claim in JWT does not exist"));
    if (sessions
        .findSession(realm.id(), v.sessionId())
        .filter(s -> s.userId().equals(user.id()))
        .isEmpty()) {
      throw new MiosaException(
          ErrorCode.SESSION_NOT_FOUND, "Session from session_id claim in JWT does not exist");
    }
    return new Principal(user, v.sessionId());
  }

  /** See {@link RealmService#logout}. */
  void logout(Principal principal, String scope) {
    String s = scope == null || scope.isEmpty() ? "global" : scope;
    switch (s) {
      case "global" -> sessions.deleteSessionsOf(principal.user().id());
      case "local" -> sessions.deleteSession(principal.sessionId());
      case "others" -> sessions.deleteOtherSessions(principal.user().id(), principal.sessionId());
      default ->
          throw new MiosaException(
              ErrorCode.INVALID_REQUEST, "Unsupported logout scope \"" + s + "\"");
    }
  }
}
