-- Readers who asked for email: new comments on a post, or new posts.
CREATE TABLE subscriptions (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    email        TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('comments', 'posts')),
    post_id      INTEGER REFERENCES posts (id) ON DELETE CASCADE,
    token        TEXT NOT NULL,
    confirmed_at BIGINT,
    created_at   BIGINT NOT NULL
);
CREATE UNIQUE INDEX subscriptions_token_key ON subscriptions (token);
CREATE INDEX subscriptions_email_idx ON subscriptions (email);
CREATE INDEX subscriptions_post_idx ON subscriptions (kind, post_id);

-- When subscribers were told about a post (once).
ALTER TABLE posts ADD COLUMN notified_at BIGINT;
