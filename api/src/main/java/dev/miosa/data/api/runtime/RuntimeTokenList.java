package dev.miosa.data.api.runtime;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.miosa.data.api.project.ProjectViews.Page;
import dev.miosa.data.api.web.PageCursor;
import java.sql.Timestamp;
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
   * A page of the tokens of an environment, newest first, revoked and expired ones included (they
   * are purged after their retention window).
   *
   * @param environmentId the environment's id
   * @param cursor the previous page's {@code nextCursor}, or null
   * @param limit page size
   * @return the page, with a {@code nextCursor} when more follow
   * @throws dev.miosa.data.provisioner.spi.MiosaException 400 naming {@code cursor} for a cursor
   *     this API did not return
   */
  Page<Item> of(String environmentId, String cursor, int limit) {
    PageCursor after = PageCursor.decode(cursor);
    List<Item> rows =
        jdbc.sql(
                """
                SELECT id, instance_id, created_at, expires_at, revoked_at FROM runtime_tokens
                WHERE environment_id = :env
                  AND (CAST(:afterAt AS timestamptz) IS NULL
                       OR (created_at, id) < (CAST(:afterAt AS timestamptz), :afterId))
                ORDER BY created_at DESC, id DESC LIMIT :limit
                """)
            .param("env", environmentId)
            .param("afterAt", after == null ? null : Timestamp.from(after.at()))
            .param("afterId", after == null ? null : after.id())
            .param("limit", limit + 1)
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
    if (rows.size() <= limit) {
      return new Page<>(rows, null);
    }
    List<Item> page = rows.subList(0, limit);
    Item last = page.get(limit - 1);
    return new Page<>(page, new PageCursor(last.createdAt(), last.id()).encode());
  }
}
