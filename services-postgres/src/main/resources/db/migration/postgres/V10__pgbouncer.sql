-- PgBouncer registrations (services-postgres, pooler/): what the generated databases.ini and
-- users.txt must hold, so that the control plane can rewrite them whole at any time (at start,
-- after a PgBouncer restart, on every change). No foreign key: an entry is removed from PgBouncer
-- before its resource's database is dropped, independently of the resource row's life.
CREATE TABLE pgbouncer_entries (
    database                text PRIMARY KEY,
    role                    text NOT NULL,
    resource_id             text NOT NULL,
    host                    text NOT NULL,
    port                    integer NOT NULL,
    pool_mode               text NOT NULL,
    pool_size               integer NOT NULL,
    max_client_connections  integer NOT NULL,
    scram_verifier          text NOT NULL,  -- AES-256-GCM (SecretCipher), context 'pgbouncer/<database>/scram'
    updated_at              timestamptz NOT NULL DEFAULT now()
);
