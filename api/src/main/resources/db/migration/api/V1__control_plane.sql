-- Control-plane schema. Ids are opaque text made by the application (prefix + random).
-- Migration version ranges per owner, so that parallel work never collides:
--   V1-V19 foundation/postgres, V20-29 redis, V30-39 storage, V40-49 auth, V50-59 volumes.

CREATE TABLE projects (
    id          text PRIMARY KEY,
    slug        text NOT NULL UNIQUE,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- state: active | deleting | deleted. A deleted environment's name may be used again.
CREATE TABLE environments (
    id          text PRIMARY KEY,
    project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    name        text NOT NULL,
    state       text NOT NULL DEFAULT 'active',
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX environments_live_name ON environments (project_id, name) WHERE state <> 'deleted';

-- state: active | deleting | deleted. A deleted data service's name may be used again.
CREATE TABLE data_services (
    id          text PRIMARY KEY,
    project_id  text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    type        text NOT NULL,
    name        text NOT NULL,
    config      jsonb NOT NULL DEFAULT '{}',
    state       text NOT NULL DEFAULT 'active',
    created_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);
CREATE UNIQUE INDEX data_services_live_name ON data_services (project_id, type, name) WHERE state <> 'deleted';

-- The real thing a data service has in one environment.
-- desired: present | absent; phase: provisioning | ready | failed | deleting | deleted.
-- secrets: name -> AES-256-GCM ciphertext (see credentials/SecretCipher).
CREATE TABLE resources (
    id              text PRIMARY KEY,
    service_id      text NOT NULL REFERENCES data_services (id) ON DELETE CASCADE,
    environment_id  text NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    desired         text NOT NULL DEFAULT 'present',
    phase           text NOT NULL DEFAULT 'provisioning',
    backend         text NOT NULL,
    attributes      jsonb NOT NULL DEFAULT '{}',
    secrets         jsonb NOT NULL DEFAULT '{}',
    error           text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX resources_live ON resources (service_id, environment_id) WHERE phase <> 'deleted';
CREATE INDEX resources_environment ON resources (environment_id);

-- Durable operations: the queue is this table (FOR UPDATE SKIP LOCKED + leases).
-- state: pending | running | succeeded | failed.
CREATE TABLE operations (
    id                text PRIMARY KEY,
    type              text NOT NULL,
    project_id        text NOT NULL,
    service_id        text,
    environment_id    text,
    params            jsonb NOT NULL DEFAULT '{}',
    state             text NOT NULL DEFAULT 'pending',
    attempts          integer NOT NULL DEFAULT 0,
    max_attempts      integer NOT NULL,
    retry_not_before  timestamptz NOT NULL DEFAULT now(),
    lease_owner       text,
    lease_expires_at  timestamptz,
    error_code        text,
    error             text,
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    finished_at       timestamptz
);
CREATE INDEX operations_unfinished ON operations (service_id, created_at) WHERE state IN ('pending', 'running');

CREATE TABLE runtime_tokens (
    id              text PRIMARY KEY,
    project_id      text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    environment_id  text NOT NULL REFERENCES environments (id) ON DELETE CASCADE,
    instance_id     text,
    token_hash      text NOT NULL UNIQUE,
    expires_at      timestamptz NOT NULL,
    revoked_at      timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now()
);

-- Who read which credentials, when. No foreign keys: the trail outlives what it names.
CREATE TABLE audit_log (
    id              bigserial PRIMARY KEY,
    at              timestamptz NOT NULL,
    actor           text NOT NULL,
    action          text NOT NULL,
    project_id      text,
    environment_id  text,
    detail          text
);
CREATE INDEX audit_log_project ON audit_log (project_id, at);

-- Idempotency-Key records: a key is scoped to the caller and the route.
-- status is null while the first request is still running.
CREATE TABLE idempotency_keys (
    scope         text NOT NULL,
    key           text NOT NULL,
    request_hash  text NOT NULL,
    status        integer,
    location      text,
    body          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
