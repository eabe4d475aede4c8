-- A post's earlier addresses (WordPress's _wp_old_slug): a slug changed in the editor
-- keeps answering, with a 301 to where the post is now.
CREATE TABLE post_old_slugs (
    slug    TEXT PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE
);
CREATE INDEX post_old_slugs_post_idx ON post_old_slugs (post_id);
