-- A comment sent from the form carries a digest of its author and text, so the same
-- comment sent twice (a double click, a resent form) is found with one index lookup
-- however many comments the post has. Imported comments leave it empty.
ALTER TABLE comments ADD COLUMN duplicate_key TEXT;
CREATE INDEX comments_duplicate_idx ON comments (post_id, duplicate_key);
