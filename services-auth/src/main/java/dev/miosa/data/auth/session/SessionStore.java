package dev.miosa.data.auth.session;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Reads and writes sessions ({@code auth_sessions}) and their refresh tokens ({@code
 * auth_refresh_tokens}). Token look-ups are scoped to a realm, so a token of one realm is unknown
 * in every other.
 */
public final class SessionStore {

  private static final String TOKEN_SELECT =
      """
      SELECT t.id, t.session_id, t.revoked_at, s.user_id, s.created_at AS session_created_at
      FROM auth_refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
      """;

  private final JdbcClient jdbc;

  /**
   * @param jdbc the control-plane database
   */
  public SessionStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * A stored refresh token with its session's user.
   *
   * @param id row id
   * @param sessionId the session
   * @param userId the session's user
   * @param revokedAt when it was used (rotated) or revoked, or null while live
   * @param sessionCreatedAt when the session's sign-in happened
   */
  public record TokenRow(
      long id, UUID sessionId, UUID userId, Instant revokedAt, Instant sessionCreatedAt) {}

  /**
   * A session.
   *
   * @param id session id
   * @param userId its user
   * @param createdAt when its sign-in happened
   */
  public record SessionRow(UUID id, UUID userId, Instant createdAt) {}

  /** Creates a session. */
  public void createSession(
      String realmId, UUID sessionId, UUID userId, Instant now, Client client) {
    jdbc.sql(
            """
            INSERT INTO auth_sessions (id, realm_id, user_id, created_at, user_agent, ip)
            VALUES (:id, :realm, :user, :now, :ua, :ip)
            """)
        .param("id", sessionId)
        .param("realm", realmId)
        .param("user", userId)
        .param("now", ts(now))
        .param("ua", client.userAgent())
        .param("ip", client.address())
        .update();
  }

  /** Stores a live refresh token of a session. */
  public void insertToken(String realmId, UUID sessionId, String hash, Long parentId, Instant now) {
    jdbc.sql(
            """
            INSERT INTO auth_refresh_tokens (realm_id, session_id, token_hash, parent_id, created_at)
            VALUES (:realm, :session, :hash, :parent, :now)
            """)
        .param("realm", realmId)
        .param("session", sessionId)
        .param("hash", hash)
        .param("parent", parentId)
        .param("now", ts(now))
        .update();
  }

  /**
   * Finds a refresh token by hash and locks its row until the transaction ends, so that two
   * concurrent uses of one token are serialised: the second sees the first's rotation.
   */
  public Optional<TokenRow> lockToken(String realmId, String hash) {
    return jdbc.sql(
            TOKEN_SELECT + " WHERE t.realm_id = :realm AND t.token_hash = :hash FOR UPDATE OF t")
        .param("realm", realmId)
        .param("hash", hash)
        .query(this::mapToken)
        .optional();
  }

  /** Finds a token of one session by hash (to follow a rotation chain). */
  public Optional<TokenRow> findInSession(UUID sessionId, String hash) {
    return jdbc.sql(TOKEN_SELECT + " WHERE t.session_id = :session AND t.token_hash = :hash")
        .param("session", sessionId)
        .param("hash", hash)
        .query(this::mapToken)
        .optional();
  }

  /** Marks a token used. */
  public void revokeToken(long id, Instant now) {
    jdbc.sql(
            "UPDATE auth_refresh_tokens SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
        .param("id", id)
        .param("now", ts(now))
        .update();
  }

  /** Records a refresh on the session. */
  public void touch(UUID sessionId, Instant now, Client client) {
    jdbc.sql(
            "UPDATE auth_sessions SET refreshed_at = :now, user_agent = :ua, ip = :ip WHERE id = :id")
        .param("id", sessionId)
        .param("now", ts(now))
        .param("ua", client.userAgent())
        .param("ip", client.address())
        .update();
  }

  /** A session of a realm. */
  public Optional<SessionRow> findSession(String realmId, UUID sessionId) {
    return jdbc.sql(
            "SELECT id, user_id, created_at FROM auth_sessions WHERE realm_id = :realm AND id = :id")
        .param("realm", realmId)
        .param("id", sessionId)
        .query(
            (rs, n) ->
                new SessionRow(
                    rs.getObject("id", UUID.class),
                    rs.getObject("user_id", UUID.class),
                    rs.getTimestamp("created_at").toInstant()))
        .optional();
  }

  /** Deletes a session and its tokens. */
  public void deleteSession(UUID sessionId) {
    jdbc.sql("DELETE FROM auth_sessions WHERE id = :id").param("id", sessionId).update();
  }

  /** Deletes every session of a user. */
  public void deleteSessionsOf(UUID userId) {
    jdbc.sql("DELETE FROM auth_sessions WHERE user_id = :user").param("user", userId).update();
  }

  /** Deletes every session of a user but one. */
  public void deleteOtherSessions(UUID userId, UUID keep) {
    jdbc.sql("DELETE FROM auth_sessions WHERE user_id = :user AND id <> :keep")
        .param("user", userId)
        .param("keep", keep)
        .update();
  }

  /** Number of sessions of a user. */
  public int countSessions(UUID userId) {
    return jdbc.sql("SELECT count(*) FROM auth_sessions WHERE user_id = :user")
        .param("user", userId)
        .query(Integer.class)
        .single();
  }

  /** Number of live (unused) refresh tokens of a session. */
  public int countLiveTokens(UUID sessionId) {
    return jdbc.sql(
            "SELECT count(*) FROM auth_refresh_tokens WHERE session_id = :s AND revoked_at IS NULL")
        .param("s", sessionId)
        .query(Integer.class)
        .single();
  }

  private TokenRow mapToken(ResultSet rs, int row) throws SQLException {
    Timestamp revoked = rs.getTimestamp("revoked_at");
    return new TokenRow(
        rs.getLong("id"),
        rs.getObject("session_id", UUID.class),
        rs.getObject("user_id", UUID.class),
        revoked == null ? null : revoked.toInstant(),
        rs.getTimestamp("session_created_at").toInstant());
  }

  private static OffsetDateTime ts(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }
}
