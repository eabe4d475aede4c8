-- Search (`/?s=`): each post's title and text, folded for matching in Rust
-- (`domain::search::fold`: case, diacritics, Arabic letter forms), as a tsvector with
-- the title weighted above the text ('simple': no stemming, the languages are many),
-- in a GIN index. Rows are written with the post, in its transaction, and filled in
-- at start for posts that have none (those from before this migration).
CREATE TABLE search_index (
    post_id  BIGINT PRIMARY KEY REFERENCES posts (id) ON DELETE CASCADE,
    title    TEXT NOT NULL,
    body     TEXT NOT NULL,
    document TSVECTOR NOT NULL
);
CREATE INDEX search_index_document_idx ON search_index USING GIN (document);
