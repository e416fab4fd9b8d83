-- Postgres backups (services-postgres, backup/): one row per pg_dump archive on the platform
-- bucket. No foreign keys: backups outlive their resource, data service and environment for a
-- retention window after a deletion (expires_at), so that a deleted database can be brought back.
-- kind: scheduled | manual; state: pending | running | succeeded | failed.
CREATE TABLE postgres_backups (
    id                text PRIMARY KEY,
    project_id        text NOT NULL,
    service_id        text NOT NULL,
    resource_id       text NOT NULL,
    environment_id    text NOT NULL,
    environment_name  text NOT NULL,
    kind              text NOT NULL,
    scheduled_at      timestamptz,
    state             text NOT NULL DEFAULT 'pending',
    operation_id      text,
    object_key        text NOT NULL,
    size_bytes        bigint,
    sha256            text,
    error             text,
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    started_at        timestamptz,
    finished_at       timestamptz,
    expires_at        timestamptz
);
-- A due scheduled backup is inserted once, whichever replica gets there first.
CREATE UNIQUE INDEX postgres_backups_due ON postgres_backups (resource_id, scheduled_at) WHERE scheduled_at IS NOT NULL;
CREATE INDEX postgres_backups_service ON postgres_backups (service_id, created_at);
CREATE INDEX postgres_backups_expiring ON postgres_backups (expires_at) WHERE expires_at IS NOT NULL;
