-- Volumes (services-volumes). See services-volumes/src/main/java/dev/miosa/data/volumes/DESIGN.md.

-- One row per volume (a resource of type 'volume') once its image exists.
-- fencing_token: the highest token ever handed out for this volume; every new attachment and
-- every forced detach takes the next value, so a token only ever grows.
-- Attaching locks this row (SELECT ... FOR UPDATE): replicas racing for one volume queue here.
CREATE TABLE volumes (
    resource_id    text PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
    size_gib       integer NOT NULL CHECK (size_gib BETWEEN 1 AND 1024),
    fencing_token  bigint NOT NULL DEFAULT 0,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Every attachment ever made. A live attachment has ended_at IS NULL; there is at most one per
-- volume (the partial unique index), whatever the application does. A live attachment whose
-- lease has passed may be taken over, which ends it ('expired').
-- holder_kind: instance (a runtime instance) | operation (a resize or restore holding the volume)
-- end_reason: detached | forced | expired | deleted | released
CREATE TABLE volume_attachments (
    id                text PRIMARY KEY,
    resource_id       text NOT NULL REFERENCES volumes (resource_id) ON DELETE CASCADE,
    holder_kind       text NOT NULL CHECK (holder_kind IN ('instance', 'operation')),
    holder            text NOT NULL,
    fencing_token     bigint NOT NULL,
    attached_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    lease_expires_at  timestamptz NOT NULL,
    ended_at          timestamptz,
    end_reason        text,
    UNIQUE (resource_id, fencing_token),
    CHECK ((ended_at IS NULL) = (end_reason IS NULL))
);
CREATE UNIQUE INDEX volume_attachments_one_live ON volume_attachments (resource_id) WHERE ended_at IS NULL;
CREATE INDEX volume_attachments_holder ON volume_attachments (holder, resource_id);

-- Point-in-time copies of a volume's image.
-- state: pending | ready | deleted (a failed snapshot stays pending; its operation says why)
-- consistency: consistent (taken while detached) | crash-consistent (taken while attached)
CREATE TABLE volume_snapshots (
    id               text PRIMARY KEY,
    resource_id      text NOT NULL REFERENCES volumes (resource_id) ON DELETE CASCADE,
    operation_id     text,
    state            text NOT NULL DEFAULT 'pending',
    consistency      text,
    size_gib         integer,
    allocated_bytes  bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz
);
CREATE INDEX volume_snapshots_resource ON volume_snapshots (resource_id, created_at);
