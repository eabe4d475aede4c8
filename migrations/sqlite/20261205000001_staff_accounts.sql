-- Staff accounts managed on the web: an account switched off keeps its posts and its
-- name but can no longer sign in (NULL: active).
ALTER TABLE users ADD COLUMN deactivated_at BIGINT;
-- Where a session was started, so its owner can tell their sessions apart in their
-- profile and end the ones they do not recognise.
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN ip TEXT NOT NULL DEFAULT '';
