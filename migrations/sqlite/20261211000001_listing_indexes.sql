-- A site with 100,000 posts: listings newest first (home, archives, a language's posts),
-- their page counts and the sitemaps' counts read this index alone, the post kind first
-- (pages are not in the stream), never the posts' rows.
CREATE INDEX posts_kind_listing_idx ON posts (kind, status, published_at, id);
-- The language switcher asks which languages have a public post: one step through this
-- index a language (a loose scan), not every post's row.
CREATE INDEX posts_kind_lang_idx ON posts (kind, status, lang, published_at);
-- A term's posts newest first by id: the sitemaps find each term's newest public post
-- with one short walk a term, not a join of every post with its terms.
CREATE INDEX post_terms_term_post_idx ON post_terms (term_id, post_id);
DROP INDEX post_terms_term_idx;
