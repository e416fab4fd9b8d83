package dev.miosa.data.api.runtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Lists the runtime tokens of an environment, without their values or hashes. */
@Component
class RuntimeTokenList {

  /**
   * A runtime token as listed to operators: never the token or its hash.
   *
   * @param id the id ({@code rt_...}), for {@code DELETE /v1/runtime-tokens/{id}}
   * @param instanceId the instance it was minted for, or null
   * @param createdAt when minted
   * @param expiresAt end of validity
   * @param revokedAt when revoked, or null
   */
  @JsonInclude(JsonInclude.Include.ALWAYS)
  record Item(
      String id, String instanceId, Instant createdAt, Instant expiresAt, Instant revokedAt) {}

  private final JdbcClient jdbc;

  RuntimeTokenList(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * The tokens of an environment, newest first, revoked and expired ones included.
   *
   * @param environmentId the environment's id
   */
  List<Item> of(String environmentId) {
    return jdbc.sql(
            """
            SELECT id, instance_id, created_at, expires_at, revoked_at FROM runtime_tokens
            WHERE environment_id = :env ORDER BY created_at DESC, id
            """)
        .param("env", environmentId)
        .query(
            (rs, n) ->
                new Item(
                    rs.getString("id"),
                    rs.getString("instance_id"),
                    rs.getTimestamp("created_at").toInstant(),
                    rs.getTimestamp("expires_at").toInstant(),
                    rs.getTimestamp("revoked_at") == null
                        ? null
                        : rs.getTimestamp("revoked_at").toInstant()))
        .list();
  }
}
