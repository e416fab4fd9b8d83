package dev.miosa.data.auth.user;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/** Reads and writes realm users ({@code auth_users}); every query is scoped to one realm. */
public final class UserStore {

  private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

  private final JdbcClient jdbc;
  private final JsonMapper json;

  /**
   * @param jdbc the control-plane database
   * @param json mapper for the metadata columns
   */
  public UserStore(JdbcClient jdbc, JsonMapper json) {
    this.jdbc = jdbc;
    this.json = json;
  }

  /**
   * Inserts a user unless the realm already has one with the same canonical address.
   *
   * @return true when inserted
   */
  public boolean insertIfAbsent(User u) {
    return jdbc.sql(
                """
                INSERT INTO auth_users (id, realm_id, email, email_key, encrypted_password, role,
                  email_confirmed_at, app_metadata, user_metadata, identity_id, created_at, updated_at)
                VALUES (:id, :realm, :email, :key, :hash, :role, :confirmed,
                  CAST(:app AS jsonb), CAST(:meta AS jsonb), :identity, :created, :updated)
                ON CONFLICT (realm_id, email_key) DO NOTHING
                """)
            .param("id", u.id())
            .param("realm", u.realmId())
            .param("email", u.email())
            .param("key", u.emailKey())
            .param("hash", u.passwordHash())
            .param("role", u.role())
            .param("confirmed", ts(u.emailConfirmedAt()))
            .param("app", json.writeValueAsString(u.appMetadata()))
            .param("meta", json.writeValueAsString(u.userMetadata()))
            .param("identity", u.identityId())
            .param("created", ts(u.createdAt()))
            .param("updated", ts(u.updatedAt()))
            .update()
        == 1;
  }

  /** The user of a realm with that canonical address. */
  public Optional<User> findByEmailKey(String realmId, String emailKey) {
    return jdbc.sql("SELECT * FROM auth_users WHERE realm_id = :realm AND email_key = :key")
        .param("realm", realmId)
        .param("key", emailKey)
        .query(this::map)
        .optional();
  }

  /** The user of a realm with that id. */
  public Optional<User> findById(String realmId, UUID id) {
    return jdbc.sql("SELECT * FROM auth_users WHERE realm_id = :realm AND id = :id")
        .param("realm", realmId)
        .param("id", id)
        .query(this::map)
        .optional();
  }

  /** Records a sign-in. */
  public void touchSignIn(UUID id, Instant at) {
    jdbc.sql("UPDATE auth_users SET last_sign_in_at = :at, updated_at = :at WHERE id = :id")
        .param("id", id)
        .param("at", ts(at))
        .update();
  }

  /**
   * Saves the changeable fields of a user (email, password hash, user metadata).
   *
   * @throws org.springframework.dao.DuplicateKeyException when the new address is taken
   */
  public void update(User u) {
    jdbc.sql(
            """
            UPDATE auth_users SET email = :email, email_key = :key, encrypted_password = :hash,
              email_confirmed_at = :confirmed, user_metadata = CAST(:meta AS jsonb), updated_at = :updated
            WHERE realm_id = :realm AND id = :id
            """)
        .param("id", u.id())
        .param("realm", u.realmId())
        .param("email", u.email())
        .param("key", u.emailKey())
        .param("hash", u.passwordHash())
        .param("confirmed", ts(u.emailConfirmedAt()))
        .param("meta", json.writeValueAsString(u.userMetadata()))
        .param("updated", ts(u.updatedAt()))
        .update();
  }

  /** Number of users of a realm (for tests and operators). */
  public int count(String realmId) {
    return jdbc.sql("SELECT count(*) FROM auth_users WHERE realm_id = :realm")
        .param("realm", realmId)
        .query(Integer.class)
        .single();
  }

  static OffsetDateTime ts(Instant instant) {
    return instant == null ? null : instant.atOffset(ZoneOffset.UTC);
  }

  static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  private User map(ResultSet rs, int row) throws SQLException {
    return new User(
        rs.getObject("id", UUID.class),
        rs.getString("realm_id"),
        rs.getString("email"),
        rs.getString("email_key"),
        rs.getString("encrypted_password"),
        rs.getString("role"),
        instant(rs, "email_confirmed_at"),
        instant(rs, "last_sign_in_at"),
        json.readValue(rs.getString("app_metadata"), MAP),
        json.readValue(rs.getString("user_metadata"), MAP),
        rs.getObject("identity_id", UUID.class),
        instant(rs, "created_at"),
        instant(rs, "updated_at"));
  }
}
