-- Search reads the full-text index first and asks, for each match, whether readers may
-- see the post: this index answers that from the post's id alone, without reading its
-- row (a word in every one of 100,000 posts would otherwise read 100,000 post bodies).
CREATE INDEX posts_visible_idx ON posts (id, status, published_at);

-- The index is written folded as `domain::search::FOLD_VERSION` 1 says (imports and
-- saves index as they go); only a later folding rule makes `serve` build it again.
INSERT INTO settings (key, value) VALUES ('search_fold_version', '1')
    ON CONFLICT (key) DO NOTHING;
