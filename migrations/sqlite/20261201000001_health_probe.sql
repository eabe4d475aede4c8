-- /healthz proves the database still takes writes by updating this one row: a full or
-- read-only disk, or a lost connection, shows up before readers find out.
CREATE TABLE health_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at BIGINT NOT NULL
);
INSERT INTO health_probe (id, checked_at) VALUES (1, 0);
