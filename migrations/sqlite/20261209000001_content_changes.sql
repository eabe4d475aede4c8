-- What each visible change touched, so that every instance's page cache forgets only
-- that: the content version the change raised (site_state.content_version, raised in
-- the writing transaction under its row lock, so versions follow commit order) and
-- the post whose discussion changed, NULL for a change any page may show (settings,
-- a post's text or status, an import). Pruned as it grows; an instance that finds
-- versions missing forgets everything.
CREATE TABLE content_changes (
    id      INTEGER PRIMARY KEY,
    version BIGINT NOT NULL,
    post_id BIGINT
);
CREATE INDEX content_changes_version_idx ON content_changes (version);
