-- The spam filter's counts: how many comments moderators called spam and not spam held
-- each feature (domain::spam_filter::key of its text); the row keyed by
-- key('#documents') counts the comments themselves.
CREATE TABLE spam_tokens (
    token INTEGER PRIMARY KEY,
    spam  INTEGER NOT NULL DEFAULT 0,
    ham   INTEGER NOT NULL DEFAULT 0
);
-- What the filter learned a comment to be ('spam' or 'ham'), so a changed mind
-- unlearns it first; NULL: not learned from.
ALTER TABLE comments ADD COLUMN trained_as TEXT;

-- Every moderation action and rule change: who, what, when, from where.
CREATE TABLE activity (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    at         INTEGER NOT NULL,
    user_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
    actor      TEXT NOT NULL,
    source     TEXT NOT NULL,
    action     TEXT NOT NULL,
    comment_id INTEGER,
    -- The commenter the entry names (for their personal-data export and erasure).
    email      TEXT,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX activity_at_idx ON activity (at, id);
CREATE INDEX activity_email_idx ON activity (email);
