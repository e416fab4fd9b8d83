package dev.miosa.data.api.runtime;

import java.sql.Timestamp;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The {@code runtime_tokens} table. */
@Repository
public class RuntimeTokenRepository {

  private final JdbcClient jdbc;

  RuntimeTokenRepository(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Inserts a minted token (its hash only). */
  public void insert(RuntimeToken t) {
    jdbc.sql(
            """
            INSERT INTO runtime_tokens
              (id, project_id, environment_id, instance_id, token_hash, expires_at, revoked_at, created_at)
            VALUES (:id, :project, :environment, :instance, :hash, :expires, :revoked, :created)
            """)
        .param("id", t.id())
        .param("project", t.projectId())
        .param("environment", t.environmentId())
        .param("instance", t.instanceId())
        .param("hash", t.tokenHash())
        .param("expires", Timestamp.from(t.expiresAt()))
        .param("revoked", t.revokedAt() == null ? null : Timestamp.from(t.revokedAt()))
        .param("created", Timestamp.from(t.createdAt()))
        .update();
  }

  /** Whether a token with this id exists (revoked or not). */
  public boolean existsById(String id) {
    return jdbc.sql("SELECT 1 FROM runtime_tokens WHERE id = :id")
        .param("id", id)
        .query(Integer.class)
        .optional()
        .isPresent();
  }

  /** Revokes a token; returns 1 if it existed and was not revoked. */
  public int revoke(String id) {
    return jdbc.sql(
            "UPDATE runtime_tokens SET revoked_at = now() WHERE id = :id AND revoked_at IS NULL")
        .param("id", id)
        .update();
  }
}
