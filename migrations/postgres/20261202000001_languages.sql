-- Languages: the administration language a staff member chose (NULL: the site's), and
-- the language of the page where a reader subscribed (their emails are written in it).
ALTER TABLE users ADD COLUMN ui_lang TEXT;
ALTER TABLE subscriptions ADD COLUMN lang TEXT;
