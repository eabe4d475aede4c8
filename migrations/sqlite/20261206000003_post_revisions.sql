-- Every saved version of a post's title, excerpt and text (Admin → Posts → Revisions:
-- list, compare, restore), and the editor's autosaves of published posts (autosave = 1;
-- one per post and person, replaced each time).
CREATE TABLE post_revisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    post_id    INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    title      TEXT NOT NULL,
    excerpt    TEXT NOT NULL,
    body_md    TEXT NOT NULL,
    saved_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL,
    autosave   BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX post_revisions_post_idx ON post_revisions (post_id, id);
