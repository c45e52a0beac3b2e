-- pgqueuer 2.0.0 adds an index named pgqueuer_statistics_created on the statistics table.
--
-- INFERRED: pgqueuer 2.0's definition of this index is not published where this project could read it
-- (no 2.0 source was available, only the release page). The name and 2.0's time-bucketed throughput
-- reads (throughput_timeseries: whole-second buckets of `created`) point to a plain btree on `created`,
-- which is what this creates. If 2.0's definition turns out to differ, `pgq upgrade` of 2.x will see a
-- divergent index under the same name; change this file to match and add a migration that rebuilds it.
--
-- Idempotent (IF NOT EXISTS): an install that Python's 2.x `pgq upgrade` already gave the index keeps
-- it as it is. Nothing here touches a row. CREATE INDEX (not CONCURRENTLY: Flyway runs it inside the
-- migration's transaction) blocks writes to the statistics table while it builds, as 2.0's upgrade does;
-- the statistics table holds one row per (second, entrypoint, priority, status), so this is short.
SET LOCAL client_min_messages = warning;

CREATE INDEX IF NOT EXISTS ${prefix}pgqueuer_statistics_created ON ${flyway:defaultSchema}.${prefix}pgqueuer_statistics
    USING btree (created);
