package dev.miosa.data.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.miosa.data.api.retention.RecordRetention;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The retention job deletes control-plane records past their window and nothing else, and runs on
 * one replica at a time.
 */
class RecordRetentionIT extends ApiTestBase {

  @Autowired JdbcClient jdbc;
  @Autowired RecordRetention retention;

  String project;
  String environment;

  void seed(String slug) {
    project =
        jdbc.sql("SELECT id FROM projects WHERE slug = :s")
            .param("s", slug)
            .query(String.class)
            .single();
    environment =
        jdbc.sql("SELECT id FROM environments WHERE project_id = :p AND name = 'production'")
            .param("p", project)
            .query(String.class)
            .single();
  }

  void operation(String id, String state, String finishedAgo) {
    jdbc.sql(
            "INSERT INTO operations (id, type, project_id, state, max_attempts, finished_at)"
                + " VALUES (:id, 'provision', :p, :state, 1,"
                + " CASE WHEN :ago = '' THEN NULL ELSE now() - CAST(:ago AS interval) END)")
        .param("id", id)
        .param("p", project)
        .param("state", state)
        .param("ago", finishedAgo)
        .update();
  }

  void idempotencyKey(String key, String ago) {
    jdbc.sql(
            "INSERT INTO idempotency_keys (scope, key, request_hash, created_at)"
                + " VALUES ('retention-test', :k, 'h', now() - CAST(:ago AS interval))")
        .param("k", key)
        .param("ago", ago)
        .update();
  }

  void token(String id, String expiresIn, String revokedAgo) {
    jdbc.sql(
            "INSERT INTO runtime_tokens (id, project_id, environment_id, token_hash, expires_at,"
                + " revoked_at) VALUES (:id, :p, :e, :id, now() + CAST(:exp AS interval),"
                + " CASE WHEN :rev = '' THEN NULL ELSE now() - CAST(:rev AS interval) END)")
        .param("id", id)
        .param("p", project)
        .param("e", environment)
        .param("exp", expiresIn)
        .param("rev", revokedAgo)
        .update();
  }

  long audit(String ago) {
    return jdbc.sql(
            "INSERT INTO audit_log (at, actor, action, project_id) VALUES"
                + " (now() - CAST(:ago AS interval), 'retention-test', 'test', :p) RETURNING id")
        .param("ago", ago)
        .param("p", project)
        .query(Long.class)
        .single();
  }

  List<String> ids(String sql) {
    return jdbc.sql(sql).param("p", project).query(String.class).list();
  }

  @Test
  void onlyRecordsPastTheirWindowArePurged() {
    String slug = createProject("retention");
    seed(slug);
    String tag = slug.replace('-', '_');
    operation("op_old_" + tag, "succeeded", "31 days");
    operation("op_oldfail_" + tag, "failed", "40 days");
    operation("op_recent_" + tag, "succeeded", "1 day");
    operation("op_pending_" + tag, "pending", "");
    idempotencyKey("old-" + tag, "25 hours");
    idempotencyKey("fresh-" + tag, "1 hour");
    token("rt_expired_" + tag, "-8 days", "");
    token("rt_revoked_" + tag, "1 day", "8 days");
    token("rt_recent_" + tag, "-1 day", "");
    token("rt_live_" + tag, "1 hour", "");
    long oldAudit = audit("401 days");
    long keptAudit = audit("399 days");

    retention.run();

    assertThat(ids("SELECT id FROM operations WHERE project_id = :p ORDER BY id"))
        .contains("op_recent_" + tag, "op_pending_" + tag)
        .doesNotContain("op_old_" + tag, "op_oldfail_" + tag);
    assertThat(
            jdbc.sql("SELECT key FROM idempotency_keys WHERE scope = 'retention-test'")
                .query(String.class)
                .list())
        .contains("fresh-" + tag)
        .doesNotContain("old-" + tag);
    assertThat(ids("SELECT id FROM runtime_tokens WHERE project_id = :p"))
        .containsExactlyInAnyOrder("rt_recent_" + tag, "rt_live_" + tag);
    assertThat(ids("SELECT CAST(id AS text) FROM audit_log WHERE project_id = :p"))
        .contains(String.valueOf(keptAudit))
        .doesNotContain(String.valueOf(oldAudit));
  }

  @Test
  void aReplicaSkipsTheRunWhileAnotherHoldsTheLock() throws Exception {
    String slug = createProject("retention-lock");
    seed(slug);
    long oldAudit = audit("500 days");
    try (Connection other = tenantAdminOfStore()) {
      other.setAutoCommit(false);
      other.createStatement().execute("SELECT pg_advisory_xact_lock(hashtext('miosa.retention'))");
      assertThat(retention.run()).as("nothing done by this replica").isEmpty();
      assertThat(ids("SELECT CAST(id AS text) FROM audit_log WHERE project_id = :p"))
          .contains(String.valueOf(oldAudit));
      other.rollback();
    }
    retention.run();
    assertThat(ids("SELECT CAST(id AS text) FROM audit_log WHERE project_id = :p"))
        .doesNotContain(String.valueOf(oldAudit));
  }

  /** Another session on the control-plane store, as another replica has. */
  static Connection tenantAdminOfStore() throws Exception {
    return dev.miosa.data.local.TestServers.postgres().connect("miosa_api_test");
  }
}
