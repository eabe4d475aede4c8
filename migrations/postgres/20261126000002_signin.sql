-- Sign-in with identity providers: a pending sign-in per browser, and commenter sessions.

-- One pending (or just finished) sign-in per browser, keyed by the SHA-256 of a random
-- cookie. It holds the reader's draft comment so nothing typed is lost on the way.
CREATE TABLE auth_attempts (
    browser_hash  TEXT PRIMARY KEY,
    provider      TEXT NOT NULL,
    purpose       TEXT NOT NULL CHECK (purpose IN ('comment', 'staff')),
    state         TEXT,
    pkce_verifier TEXT NOT NULL,
    nonce         TEXT,
    return_to     TEXT NOT NULL,
    draft         TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

CREATE TABLE commenter_sessions (
    id_hash     TEXT PRIMARY KEY,
    identity_id BIGINT NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX commenter_sessions_identity_idx ON commenter_sessions (identity_id);
CREATE INDEX comments_identity_idx ON comments (identity_id, status);
