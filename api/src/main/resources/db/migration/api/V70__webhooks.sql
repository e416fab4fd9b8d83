-- Webhooks (issue 14): endpoints, and the outbox of events with one delivery per matching endpoint.
-- See api/src/main/java/dev/miosa/data/api/webhook/DESIGN.md.

-- events: text[] of event type names, or {'*'} for every type. project_id null: every project.
-- secret: the signing secret, AES-256-GCM encrypted (SecretCipher, context 'webhook/<id>').
CREATE TABLE webhook_endpoints (
    id          text PRIMARY KEY,
    url         text NOT NULL,
    events      text[] NOT NULL,
    project_id  text REFERENCES projects (id) ON DELETE CASCADE,
    secret      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- payload: the exact JSON body sent ({"type","timestamp","data"}); its id is the webhook-id header.
-- No foreign key to projects: an event outlives what it tells of until the retention purge.
CREATE TABLE webhook_events (
    id          text PRIMARY KEY,
    type        text NOT NULL,
    project_id  text,
    payload     text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- state: pending | sending | delivered | failed.
-- next_attempt_at: when a pending delivery is due; while sending, when the sender's lease lapses
-- (then any worker may claim it again). Both cases are one index range.
CREATE TABLE webhook_deliveries (
    id               text PRIMARY KEY,
    event_id         text NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    endpoint_id      text NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    state            text NOT NULL DEFAULT 'pending',
    attempts         int NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_owner      text,
    last_status      int,
    last_error       text,
    last_attempt_at  timestamptz,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE state IN ('pending', 'sending');
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);
CREATE INDEX webhook_deliveries_finished ON webhook_deliveries (finished_at)
    WHERE finished_at IS NOT NULL;
CREATE INDEX webhook_events_created ON webhook_events (created_at);

-- The last published summed phase of each data service (service.phase_changed is told when the
-- phase computed from its resources differs from this).
CREATE TABLE service_phases (
    service_id  text PRIMARY KEY REFERENCES data_services (id) ON DELETE CASCADE,
    phase       text NOT NULL
);
