-- Auth realms (services-auth): one realm per auth resource, i.e. per data service and
-- environment. A realm's id is its resource's id; its signing secret is the resource secret
-- "jwtSecret" (resources.secrets, AES-256-GCM). Users, sessions and refresh tokens belong to one
-- realm and go with it: deprovisioning deletes the realm row and everything cascades.

CREATE TABLE auth_realms (
    id          text PRIMARY KEY REFERENCES resources (id) ON DELETE CASCADE,
    settings    jsonb NOT NULL DEFAULT '{}',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- email: as the user gave it (trimmed, NFKC, lower case), for display and mail.
-- email_key: the canonical form (NFKC + case folding), unique per realm: look-alike encodings
-- and any letter case of one address are one user.
-- encrypted_password: a PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash).
-- identity_id: the id of the user's single "email" identity, as GoTrue reports it.
CREATE TABLE auth_users (
    id                  uuid PRIMARY KEY,
    realm_id            text NOT NULL REFERENCES auth_realms (id) ON DELETE CASCADE,
    email               text NOT NULL,
    email_key           text NOT NULL,
    encrypted_password  text NOT NULL,
    role                text NOT NULL DEFAULT 'authenticated',
    email_confirmed_at  timestamptz,
    last_sign_in_at     timestamptz,
    app_metadata        jsonb NOT NULL DEFAULT '{}',
    user_metadata       jsonb NOT NULL DEFAULT '{}',
    identity_id         uuid NOT NULL,
    created_at          timestamptz NOT NULL,
    updated_at          timestamptz NOT NULL
);
CREATE UNIQUE INDEX auth_users_email_key ON auth_users (realm_id, email_key);

-- A session is one sign-in; its access tokens carry its id (session_id claim) and stop
-- working when the row is gone (logout, refresh token reuse).
CREATE TABLE auth_sessions (
    id            uuid PRIMARY KEY,
    realm_id      text NOT NULL REFERENCES auth_realms (id) ON DELETE CASCADE,
    user_id       uuid NOT NULL REFERENCES auth_users (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL,
    refreshed_at  timestamptz,
    user_agent    text,
    ip            text
);
CREATE INDEX auth_sessions_user ON auth_sessions (user_id);

-- Refresh tokens are opaque; only their SHA-256 is stored. Each use revokes the token
-- (revoked_at) and adds its successor (parent_id = the used token); at most one token of a
-- session is live.
CREATE TABLE auth_refresh_tokens (
    id          bigserial PRIMARY KEY,
    realm_id    text NOT NULL REFERENCES auth_realms (id) ON DELETE CASCADE,
    session_id  uuid NOT NULL REFERENCES auth_sessions (id) ON DELETE CASCADE,
    token_hash  text NOT NULL,
    parent_id   bigint,
    revoked_at  timestamptz,
    created_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX auth_refresh_tokens_hash ON auth_refresh_tokens (realm_id, token_hash);
CREATE INDEX auth_refresh_tokens_session ON auth_refresh_tokens (session_id);
CREATE UNIQUE INDEX auth_refresh_tokens_one_live ON auth_refresh_tokens (session_id) WHERE revoked_at IS NULL;
