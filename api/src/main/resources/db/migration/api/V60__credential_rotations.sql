-- Credential rotations (issue 14). One row per rotation of one resource's credentials.
-- state: requested (the rotate operation has not promoted yet)
--      | grace     (promoted; the previous credential still works until grace_ends_at)
--      | revoking  (grace over; revoke_operation_id revokes the previous credential)
--      | revoked   (the previous credential is gone)
--      | failed    (the rotate operation failed for good before promoting; nothing changed)
-- The revoke is not a pending operation during the grace (it would block the data service's
-- queue): a sweeper enqueues it once grace_ends_at has passed.
CREATE TABLE credential_rotations (
    id                   text PRIMARY KEY,
    resource_id          text NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    project_id           text NOT NULL,
    service_id           text NOT NULL,
    environment_id       text NOT NULL,
    rotate_operation_id  text NOT NULL,
    grace_seconds        integer NOT NULL CHECK (grace_seconds BETWEEN 0 AND 604800),
    state                text NOT NULL DEFAULT 'requested',
    created_at           timestamptz NOT NULL DEFAULT now(),
    promoted_at          timestamptz,
    grace_ends_at        timestamptz,
    revoke_operation_id  text,
    revoked_at           timestamptz
);
-- At most one rotation per resource that has not promoted yet.
CREATE UNIQUE INDEX credential_rotations_requested ON credential_rotations (resource_id)
    WHERE state = 'requested';
-- The sweeper's question: which graces are over.
CREATE INDEX credential_rotations_due ON credential_rotations (grace_ends_at) WHERE state = 'grace';
CREATE INDEX credential_rotations_resource ON credential_rotations (resource_id);
