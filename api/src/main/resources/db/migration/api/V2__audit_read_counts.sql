-- Reads of one environment by one actor within one flush window (at most a second) are one
-- row: `at` is the first read, `last_at` the last, `reads` how many there were.
ALTER TABLE audit_log ADD COLUMN last_at timestamptz;
ALTER TABLE audit_log ADD COLUMN reads integer NOT NULL DEFAULT 1;
UPDATE audit_log SET last_at = at WHERE last_at IS NULL;
