-- What a job is about (e.g. "held:ada@example.org"), so bursts of notifications to one
-- person can be folded into one digest.
ALTER TABLE jobs ADD COLUMN topic TEXT;
CREATE INDEX jobs_topic_idx ON jobs (topic, created_at);
