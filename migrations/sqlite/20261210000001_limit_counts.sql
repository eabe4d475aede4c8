-- Counters every instance on one database shares (PostgreSQL; a single SQLite
-- instance counts in memory): attempts per key in a fixed window (`stamp` = when the
-- window began) for the comment limits, and failed staff sign-ins (`stamp` = the last
-- failure). Rows past every window are pruned.
CREATE TABLE limit_counts (
    scope   TEXT NOT NULL,
    subject TEXT NOT NULL,
    hits    BIGINT NOT NULL,
    stamp   BIGINT NOT NULL,
    PRIMARY KEY (scope, subject)
);
CREATE INDEX limit_counts_stamp_idx ON limit_counts (stamp);
