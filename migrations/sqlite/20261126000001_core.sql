-- Core schema: staff users, sessions, posts, commenter identities, comments, site settings.
-- Timestamps are UTC seconds since the Unix epoch (BIGINT) on both backends.

CREATE TABLE users (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL,
    display_name  TEXT NOT NULL,
    password_hash TEXT,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'editor', 'author', 'moderator')),
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE posts (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    slug              TEXT NOT NULL,
    title             TEXT NOT NULL,
    excerpt           TEXT NOT NULL DEFAULT '',
    body_md           TEXT NOT NULL,
    body_html         TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('draft', 'published', 'private')),
    lang              TEXT NOT NULL,
    translation_group TEXT,
    author_id         INTEGER NOT NULL REFERENCES users (id),
    comments_open     BIGINT NOT NULL DEFAULT 1,
    comment_count     BIGINT NOT NULL DEFAULT 0,
    published_at      BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE UNIQUE INDEX posts_slug_key ON posts (slug);
CREATE INDEX posts_listing_idx ON posts (status, published_at);
CREATE INDEX posts_translation_idx ON posts (translation_group);

-- A commenter who signed in with an identity provider: (provider, subject), never the email alone.
CREATE TABLE identities (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    provider    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    name        TEXT NOT NULL,
    email       TEXT,
    avatar_url  TEXT,
    profile_url TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE UNIQUE INDEX identities_provider_subject_key ON identities (provider, subject);

CREATE TABLE comments (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id      INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    parent_id    INTEGER REFERENCES comments (id) ON DELETE SET NULL,
    status       TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'spam', 'trash')),
    author_name  TEXT NOT NULL,
    author_email TEXT NOT NULL,
    author_url   TEXT,
    identity_id  INTEGER REFERENCES identities (id) ON DELETE SET NULL,
    body         TEXT NOT NULL,
    body_html    TEXT NOT NULL,
    ip           TEXT NOT NULL,
    user_agent   TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX comments_post_status_idx ON comments (post_id, status, id);
CREATE INDEX comments_status_idx ON comments (status, id);
CREATE INDEX comments_email_idx ON comments (author_email);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- One row. content_version goes up with every change a reader can see, so every
-- instance (and the CLI) can tell its cached pages are stale.
CREATE TABLE site_state (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    content_version BIGINT NOT NULL
);
INSERT INTO site_state (id, content_version) VALUES (1, 1);
