-- Search (`/?s=`): each post's title and text, folded for matching in Rust
-- (`domain::search::fold`: case, diacritics, Arabic letter forms), in an FTS5 index
-- whose rowid is the post's id. Prefix indexes make short prefixes cheap. Rows are
-- written with the post, in its transaction, and filled in at start for posts that
-- have none (those from before this migration).
CREATE VIRTUAL TABLE search_index USING fts5(
    title,
    body,
    tokenize = 'unicode61 remove_diacritics 0',
    prefix = '2 3'
);
-- A virtual table has no foreign keys: a deleted post takes its row along here.
CREATE TRIGGER posts_search_delete AFTER DELETE ON posts BEGIN
    DELETE FROM search_index WHERE rowid = old.id;
END;
