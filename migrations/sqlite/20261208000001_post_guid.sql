-- The id a feed gives each post (RSS `guid`, Atom `id`): set when the post is written,
-- never changed afterwards (a new slug or site address must not make feed readers see
-- an old post as new); an imported post keeps the one WordPress gave it.
ALTER TABLE posts ADD COLUMN guid TEXT;
UPDATE posts SET guid = 'urn:uuid:' || lower(hex(randomblob(4))) || '-' || lower(hex(randomblob(2)))
    || '-4' || substr(lower(hex(randomblob(2))), 2) || '-8' || substr(lower(hex(randomblob(2))), 2)
    || '-' || lower(hex(randomblob(6)))
    WHERE guid IS NULL;
