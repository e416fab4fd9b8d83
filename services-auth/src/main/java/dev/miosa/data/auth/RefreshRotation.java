package dev.miosa.data.auth;

import dev.miosa.data.auth.RealmService.Grant;
import dev.miosa.data.auth.realm.Realm;
import dev.miosa.data.auth.session.Client;
import dev.miosa.data.auth.session.RefreshTokens;
import dev.miosa.data.auth.session.SessionStore;
import dev.miosa.data.auth.session.SessionStore.TokenRow;
import dev.miosa.data.auth.token.AccessTokens;
import dev.miosa.data.auth.user.User;
import dev.miosa.data.auth.user.UserStore;
import dev.miosa.data.provisioner.spi.ErrorCode;
import dev.miosa.data.provisioner.spi.MiosaException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * {@code POST /token?grant_type=refresh_token} (GoTrue's {@code tokens/service.go}): a live token
 * is rotated under a row lock; a used one answers the session's live token within the grace window
 * and revokes the session after it. See DESIGN.md, "Refresh tokens".
 */
final class RefreshRotation {

  private static final Logger log = LoggerFactory.getLogger(RefreshRotation.class);

  /** Longest rotation chain followed when a used token is presented again within the grace. */
  private static final int MAX_CHAIN = 32;

  private final UserStore users;
  private final SessionStore store;
  private final AccessTokens tokens;
  private final Sessions sessions;
  private final TransactionTemplate tx;

  RefreshRotation(
      UserStore users,
      SessionStore store,
      AccessTokens tokens,
      Sessions sessions,
      TransactionTemplate tx) {
    this.users = users;
    this.store = store;
    this.tokens = tokens;
    this.sessions = sessions;
    this.tx = tx;
  }

  /** See {@link RealmService#refresh}. */
  Grant refresh(Realm realm, String refreshToken, Client client) {
    if (refreshToken == null || refreshToken.isEmpty()) {
      throw new MiosaException(ErrorCode.REFRESH_TOKEN_REQUIRED, "refresh_token required");
    }
    Grant grant =
        tx.execute(
            status -> {
              TokenRow row =
                  store
                      .lockToken(realm.id(), RefreshTokens.hash(refreshToken))
                      .orElseThrow(RefreshRotation::notFound);
              Instant now = sessions.now();
              String issued;
              if (row.revokedAt() == null) {
                store.revokeToken(row.id(), now);
                issued = RefreshTokens.successor(realm.refreshSuccessorKey(), refreshToken);
                store.insertToken(
                    realm.id(), row.sessionId(), RefreshTokens.hash(issued), row.id(), now);
              } else {
                Duration grace =
                    Duration.ofSeconds(realm.config().refreshTokenReuseIntervalSeconds());
                issued =
                    now.isAfter(row.revokedAt().plus(grace))
                        ? null
                        : liveSuccessor(realm, row, refreshToken);
                if (issued == null) {
                  store.deleteSession(row.sessionId());
                  log.warn(
                      "refresh token reused after its grace window in realm {}: session {} revoked",
                      realm.id(),
                      row.sessionId());
                  return null; // commit the revocation, then refuse
                }
              }
              store.touch(row.sessionId(), now, client);
              User user =
                  users.findById(realm.id(), row.userId()).orElseThrow(RefreshRotation::notFound);
              return new Grant(
                  tokens.issue(realm, user, row.sessionId(), row.sessionCreatedAt()),
                  issued,
                  user,
                  null);
            });
    if (grant == null) {
      throw new MiosaException(
          ErrorCode.REFRESH_TOKEN_ALREADY_USED, "Invalid Refresh Token: Already Used");
    }
    return grant;
  }

  /** Follows the successors of a used token to the session's live one, or null. */
  private String liveSuccessor(Realm realm, TokenRow used, String token) {
    byte[] key = realm.refreshSuccessorKey();
    String candidate = token;
    for (int i = 0; i < MAX_CHAIN; i++) {
      candidate = RefreshTokens.successor(key, candidate);
      Optional<TokenRow> next =
          store.findInSession(used.sessionId(), RefreshTokens.hash(candidate));
      if (next.isEmpty()) {
        return null;
      }
      if (next.get().revokedAt() == null) {
        return candidate;
      }
    }
    return null;
  }

  private static MiosaException notFound() {
    return new MiosaException(
        ErrorCode.REFRESH_TOKEN_NOT_FOUND, "Invalid Refresh Token: Refresh Token Not Found");
  }
}
