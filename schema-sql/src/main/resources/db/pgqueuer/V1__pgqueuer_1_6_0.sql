-- The pgqueuer 1.6.0 schema (CONTRACT.md §1-§2), written so that it also converges a database where
-- Python's `pgq install` (1.3.2 .. 1.6.0) already created the objects: every statement is idempotent,
-- and nothing here deletes a row.
--
-- Placeholders (set by org.pgqj.schema.PgqueuerSchema, validated as identifiers there):
--   ${prefix}                  PGQUEUER_PREFIX, prepended to every object name and to the channel
--   ${flyway:defaultSchema}    PGQUEUER_SCHEMA
--   ${queue_persistence}       '' or 'UNLOGGED' for the queue and schedules tables   (durability)
--   ${log_persistence}         '' or 'UNLOGGED' for the log and statistics tables    (durability)

-- The IF NOT EXISTS statements below would each print a notice on a fresh install; keep the log quiet.
SET LOCAL client_min_messages = warning;

DO $$
BEGIN
    CREATE TYPE ${flyway:defaultSchema}.${prefix}pgqueuer_status AS ENUM (
        'queued', 'picked', 'successful', 'exception', 'canceled', 'deleted', 'failed');
EXCEPTION WHEN duplicate_object THEN
    NULL; -- created by an earlier install; missing labels are added below
END
$$;

-- Older installs lack later labels. ADD VALUE IF NOT EXISTS keeps existing ones, and their order.
ALTER TYPE ${flyway:defaultSchema}.${prefix}pgqueuer_status ADD VALUE IF NOT EXISTS 'queued';
ALTER TYPE ${flyway:defaultSchema}.${prefix}pgqueuer_status ADD VALUE IF NOT EXISTS 'picked';
ALTER TYPE ${flyway:defaultSchema}.${prefix}pgqueuer_status ADD VALUE IF NOT EXISTS 'successful';
ALTER TYPE ${flyway:defaultSchema}.${prefix}pgqueuer_status ADD VALUE IF NOT EXISTS 'exception';
ALTER TYPE ${flyway:defaultSchema}.${prefix}pgqueuer_status ADD VALUE IF NOT EXISTS 'canceled';
ALTER TYPE ${flyway:defaultSchema}.${prefix}pgqueuer_status ADD VALUE IF NOT EXISTS 'deleted';
ALTER TYPE ${flyway:defaultSchema}.${prefix}pgqueuer_status ADD VALUE IF NOT EXISTS 'failed';

-- The queue: one row per queued, picked or held ('failed') job.
CREATE ${queue_persistence} TABLE IF NOT EXISTS ${flyway:defaultSchema}.${prefix}pgqueuer (
    id               BIGSERIAL PRIMARY KEY,
    priority         INT NOT NULL,
    queue_manager_id UUID,
    created          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated          TIMESTAMPTZ NOT NULL DEFAULT now(),
    heartbeat        TIMESTAMPTZ NOT NULL DEFAULT now(),
    execute_after    TIMESTAMPTZ NOT NULL DEFAULT now(),
    status           ${flyway:defaultSchema}.${prefix}pgqueuer_status NOT NULL,
    entrypoint       TEXT NOT NULL,
    dedupe_key       TEXT,
    payload          BYTEA,
    headers          JSONB,
    attempts         INT NOT NULL DEFAULT 0,
    slot             BIGINT
);
-- Columns added by later pgqueuer releases (no-ops on a fresh install).
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer ADD COLUMN IF NOT EXISTS updated TIMESTAMPTZ NOT NULL DEFAULT now();
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer ADD COLUMN IF NOT EXISTS heartbeat TIMESTAMPTZ NOT NULL DEFAULT now();
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer ADD COLUMN IF NOT EXISTS queue_manager_id UUID;
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer ADD COLUMN IF NOT EXISTS execute_after TIMESTAMPTZ NOT NULL DEFAULT now();
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer ADD COLUMN IF NOT EXISTS dedupe_key TEXT;
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer ADD COLUMN IF NOT EXISTS headers JSONB;
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer ADD COLUMN IF NOT EXISTS attempts INT NOT NULL DEFAULT 0;
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer ADD COLUMN IF NOT EXISTS slot BIGINT;

CREATE INDEX IF NOT EXISTS ${prefix}pgqueuer_priority_id_id1_idx ON ${flyway:defaultSchema}.${prefix}pgqueuer
    USING btree (priority, id DESC) INCLUDE (id) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS ${prefix}pgqueuer_updated_id_id1_idx ON ${flyway:defaultSchema}.${prefix}pgqueuer
    USING btree (updated, id DESC) INCLUDE (id) WHERE status = 'picked';
CREATE INDEX IF NOT EXISTS ${prefix}pgqueuer_queue_manager_id_idx ON ${flyway:defaultSchema}.${prefix}pgqueuer
    USING btree (queue_manager_id) WHERE queue_manager_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ${prefix}pgqueuer_ep_prio_id_idx ON ${flyway:defaultSchema}.${prefix}pgqueuer
    USING btree (entrypoint, priority DESC, id) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS ${prefix}pgqueuer_ep_ea_idx ON ${flyway:defaultSchema}.${prefix}pgqueuer
    USING btree (entrypoint, execute_after) WHERE status = 'queued';
CREATE INDEX IF NOT EXISTS ${prefix}pgqueuer_picked_heartbeat_idx ON ${flyway:defaultSchema}.${prefix}pgqueuer
    USING btree (heartbeat) WHERE status = 'picked';
-- Dedupe keys are unique among live jobs only (CONTRACT §3).
CREATE UNIQUE INDEX IF NOT EXISTS ${prefix}pgqueuer_unique_dedupe_key ON ${flyway:defaultSchema}.${prefix}pgqueuer
    USING btree (dedupe_key) WHERE status IN ('queued', 'picked') AND dedupe_key IS NOT NULL;
-- The global concurrency-limit slots (CONTRACT §4): a claim that races for a taken slot fails here.
CREATE UNIQUE INDEX IF NOT EXISTS ${prefix}pgqueuer_picked_slot_idx ON ${flyway:defaultSchema}.${prefix}pgqueuer
    USING btree (entrypoint, slot) WHERE status = 'picked' AND slot IS NOT NULL;
-- Superseded by pgqueuer_picked_heartbeat_idx in pgqueuer 1.5.
DROP INDEX IF EXISTS ${flyway:defaultSchema}.${prefix}pgqueuer_heartbeat_id_id1_idx;

-- One row per state change of every job; the terminal outcome of a job lives only here.
CREATE ${log_persistence} TABLE IF NOT EXISTS ${flyway:defaultSchema}.${prefix}pgqueuer_log (
    id         BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
    created    TIMESTAMPTZ NOT NULL DEFAULT now(),
    job_id     BIGINT NOT NULL,
    status     ${flyway:defaultSchema}.${prefix}pgqueuer_status NOT NULL,
    priority   INT NOT NULL,
    entrypoint TEXT NOT NULL,
    traceback  JSONB,
    aggregated BOOLEAN DEFAULT false
);
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer_log ADD COLUMN IF NOT EXISTS traceback JSONB;
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer_log ADD COLUMN IF NOT EXISTS aggregated BOOLEAN DEFAULT false;
CREATE INDEX IF NOT EXISTS ${prefix}pgqueuer_log_not_aggregated ON ${flyway:defaultSchema}.${prefix}pgqueuer_log
    USING btree ((1)) WHERE NOT aggregated;
CREATE INDEX IF NOT EXISTS ${prefix}pgqueuer_log_created ON ${flyway:defaultSchema}.${prefix}pgqueuer_log
    USING btree (created);
CREATE INDEX IF NOT EXISTS ${prefix}pgqueuer_log_status ON ${flyway:defaultSchema}.${prefix}pgqueuer_log
    USING btree (status);
CREATE INDEX IF NOT EXISTS ${prefix}pgqueuer_log_job_id_status ON ${flyway:defaultSchema}.${prefix}pgqueuer_log
    USING btree (job_id, created DESC);

-- Counts per (priority, second, status, entrypoint), folded from the log (CONTRACT §6).
CREATE ${log_persistence} TABLE IF NOT EXISTS ${flyway:defaultSchema}.${prefix}pgqueuer_statistics (
    id         BIGSERIAL PRIMARY KEY,
    created    TIMESTAMPTZ NOT NULL DEFAULT date_trunc('sec', now()),
    count      BIGINT NOT NULL,
    priority   INT NOT NULL,
    status     ${flyway:defaultSchema}.${prefix}pgqueuer_status NOT NULL,
    entrypoint TEXT NOT NULL
);
-- 1.3.x wrote these with "AT TIME ZONE 'UTC'"; 1.5 moved to the forms below, which mean the same.
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer_statistics ALTER COLUMN created SET DEFAULT date_trunc('sec', now());
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_indexes
               WHERE schemaname = '${flyway:defaultSchema}' AND indexname = '${prefix}pgqueuer_statistics_unique_count'
                 AND indexdef NOT LIKE '%timezone(''UTC''::text, created)%') THEN
        DROP INDEX ${flyway:defaultSchema}.${prefix}pgqueuer_statistics_unique_count;
    END IF;
END
$$;
CREATE UNIQUE INDEX IF NOT EXISTS ${prefix}pgqueuer_statistics_unique_count ON ${flyway:defaultSchema}.${prefix}pgqueuer_statistics
    USING btree (priority, date_trunc('sec', timezone('UTC', created)), status, entrypoint);
-- pgqueuer 1.5 dropped the separate statistics status type.
DROP TYPE IF EXISTS ${flyway:defaultSchema}.${prefix}pgqueuer_statistics_status;

-- Cron schedules shared by every scheduler, Python or Java (CONTRACT §7).
CREATE ${queue_persistence} TABLE IF NOT EXISTS ${flyway:defaultSchema}.${prefix}pgqueuer_schedules (
    id         BIGSERIAL PRIMARY KEY,
    expression TEXT NOT NULL,
    entrypoint TEXT NOT NULL,
    heartbeat  TIMESTAMPTZ NOT NULL DEFAULT now(),
    created    TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated    TIMESTAMPTZ NOT NULL DEFAULT now(),
    next_run   TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_run   TIMESTAMPTZ,
    status     ${flyway:defaultSchema}.${prefix}pgqueuer_status DEFAULT 'queued',
    UNIQUE (expression, entrypoint)
);

-- One table_changed_event per INSERT, DELETE or TRUNCATE statement on the queue (CONTRACT §5).
-- The trigger also fires on UPDATE, as pgqueuer's does, but an UPDATE sends nothing.
CREATE OR REPLACE FUNCTION ${flyway:defaultSchema}.${prefix}fn_pgqueuer_changed() RETURNS TRIGGER
    LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'DELETE', 'TRUNCATE') THEN
        PERFORM pg_notify('${prefix}ch_pgqueuer', json_build_object(
            'channel', '${prefix}ch_pgqueuer',
            'operation', lower(TG_OP),
            'sent_at', now(),
            'table', TG_TABLE_NAME,
            'type', 'table_changed_event')::text);
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS ${prefix}tg_pgqueuer_changed ON ${flyway:defaultSchema}.${prefix}pgqueuer;
CREATE TRIGGER ${prefix}tg_pgqueuer_changed
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${flyway:defaultSchema}.${prefix}pgqueuer
    FOR EACH STATEMENT EXECUTE FUNCTION ${flyway:defaultSchema}.${prefix}fn_pgqueuer_changed();

-- Durability of an existing install converges to the one asked for (CONTRACT §1).
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer SET ${queue_persistence_alter};
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer_schedules SET ${queue_persistence_alter};
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer_log SET ${log_persistence_alter};
ALTER TABLE ${flyway:defaultSchema}.${prefix}pgqueuer_statistics SET ${log_persistence_alter};
