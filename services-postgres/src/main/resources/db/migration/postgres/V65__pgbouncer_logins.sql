-- Further login roles of PgBouncer-served databases (services-postgres, pooler/): during a
-- credential rotation a database has two login roles (the current one and the next, then the
-- previous one until its grace ends), each with its own line in users.txt. pgbouncer_entries keeps
-- one role per database; the others are here. No foreign key, like pgbouncer_entries: rows go when
-- their login is revoked or their database is removed from PgBouncer.
CREATE TABLE pgbouncer_logins (
    role            text PRIMARY KEY,
    database        text NOT NULL,
    resource_id     text NOT NULL,
    scram_verifier  text NOT NULL,  -- AES-256-GCM (SecretCipher), context 'pgbouncer/<role>/login-scram'
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pgbouncer_logins_database ON pgbouncer_logins (database);
