-- A long thread's comment pages are cut from its shape (every approved comment's id and
-- parent, domain::comment_pages): with the parent in the index that read never touches
-- the table (27,000 comments: 30 ms → under 1 ms in SQLite's shell).
CREATE INDEX comments_shape_idx ON comments (post_id, status, id, parent_id);
