-- Uploaded images and PDFs (Admin → Media). The files live outside the database, named
-- by the SHA-256 of the stored original (`hash`); `widths` lists the smaller copies made
-- of an image ("320,640,1024"), empty for a PDF or an image too small to shrink.
CREATE TABLE media (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    hash          TEXT NOT NULL,
    kind          TEXT NOT NULL,
    ext           TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    title         TEXT NOT NULL DEFAULT '',
    alt           TEXT NOT NULL DEFAULT '',
    bytes         BIGINT NOT NULL,
    width         BIGINT NOT NULL DEFAULT 0,
    height        BIGINT NOT NULL DEFAULT 0,
    widths        TEXT NOT NULL DEFAULT '',
    variant_ext   TEXT NOT NULL DEFAULT '',
    source_url    TEXT,
    uploaded_by   INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at    BIGINT NOT NULL
);
CREATE UNIQUE INDEX media_hash_key ON media (hash);
CREATE INDEX media_created_idx ON media (created_at, id);
CREATE INDEX media_source_idx ON media (source_url);

-- Which posts show which file, in their text or as their featured image: rewritten in
-- the transaction that saves the post. A file is deleted only when it has no row here.
CREATE TABLE media_uses (
    media_id BIGINT NOT NULL REFERENCES media (id),
    post_id  BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    PRIMARY KEY (media_id, post_id)
);
CREATE INDEX media_uses_post_idx ON media_uses (post_id);

ALTER TABLE posts ADD COLUMN featured_media_id BIGINT REFERENCES media (id);
