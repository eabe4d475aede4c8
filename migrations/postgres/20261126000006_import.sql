-- Moving in and out: pages beside posts, HTML bodies from WordPress, categories and tags,
-- comment types, and where each imported row came from (so an import can run again).

-- 'post' lives at /YYYY/MM/DD/slug/, 'page' at /slug/.
ALTER TABLE posts ADD COLUMN kind TEXT NOT NULL DEFAULT 'post' CHECK (kind IN ('post', 'page'));
-- 'markdown' (written here) or 'html' (brought from WordPress, sanitised for trusted authors).
ALTER TABLE posts ADD COLUMN body_format TEXT NOT NULL DEFAULT 'markdown' CHECK (body_format IN ('markdown', 'html'));
-- e.g. 'wordpress:https://example.wordpress.com' and the original post id.
ALTER TABLE posts ADD COLUMN import_source TEXT;
ALTER TABLE posts ADD COLUMN import_id TEXT;
CREATE UNIQUE INDEX posts_import_key ON posts (import_source, import_id);
CREATE INDEX posts_import_id_idx ON posts (import_id);

ALTER TABLE comments ADD COLUMN kind TEXT NOT NULL DEFAULT 'comment' CHECK (kind IN ('comment', 'pingback', 'trackback'));
ALTER TABLE comments ADD COLUMN import_source TEXT;
ALTER TABLE comments ADD COLUMN import_id TEXT;
-- The original parent's id, resolved to parent_id once the whole file is in.
ALTER TABLE comments ADD COLUMN import_parent_id TEXT;
CREATE UNIQUE INDEX comments_import_key ON comments (import_source, import_id);

ALTER TABLE users ADD COLUMN login TEXT;

CREATE TABLE terms (
    id        BIGSERIAL PRIMARY KEY,
    kind      TEXT NOT NULL CHECK (kind IN ('category', 'tag')),
    slug      TEXT NOT NULL,
    name      TEXT NOT NULL,
    parent_slug TEXT
);
CREATE UNIQUE INDEX terms_kind_slug_key ON terms (kind, slug);

CREATE TABLE post_terms (
    post_id BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    term_id BIGINT NOT NULL REFERENCES terms (id) ON DELETE CASCADE,
    PRIMARY KEY (post_id, term_id)
);
CREATE INDEX post_terms_term_idx ON post_terms (term_id);
