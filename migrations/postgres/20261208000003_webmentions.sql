-- Webmention. A mention received is a comment of kind `webmention`, held for a
-- moderator; `webmention_source` is the page that mentioned the post, so the same
-- source sent again updates that comment, and a source gone (410) or no longer
-- linking removes it.
-- A comment may be of kind `webmention`.
ALTER TABLE comments DROP CONSTRAINT comments_kind_check;
ALTER TABLE comments ADD CONSTRAINT comments_kind_check
    CHECK (kind IN ('comment', 'pingback', 'trackback', 'webmention'));

ALTER TABLE comments ADD COLUMN webmention_source TEXT;
CREATE INDEX comments_webmention_idx ON comments (post_id, webmention_source);

-- Mentions sent: each page a post linked to, and how its endpoint answered. A link
-- taken out of the post is still told (the receiver sees it gone).
CREATE TABLE webmentions_sent (
    post_id  BIGINT NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    target   TEXT NOT NULL,
    endpoint TEXT,
    status   BIGINT,
    sent_at  BIGINT NOT NULL,
    PRIMARY KEY (post_id, target)
);
