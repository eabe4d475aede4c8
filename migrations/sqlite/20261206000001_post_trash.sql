-- Posts in the trash (Admin → Posts → Trash): the status they had, kept to restore it;
-- while there a post is a draft (never public) and may be deleted for good.
-- NULL: not in the trash.
ALTER TABLE posts ADD COLUMN trashed_status TEXT;
ALTER TABLE posts ADD COLUMN trashed_at BIGINT;
