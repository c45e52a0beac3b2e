-- pgqj's own table, beside pgqueuer's catalog (Python's pgqueuer neither reads nor knows it): one row per
-- entrypoint that Java workers must not claim, fleet-wide. A row exists while the entrypoint is paused.
CREATE TABLE IF NOT EXISTS ${flyway:defaultSchema}.${prefix}pgqj_paused_entrypoints (
    entrypoint text PRIMARY KEY,
    paused_at timestamptz NOT NULL DEFAULT now(),
    paused_by text NOT NULL
);

COMMENT ON TABLE ${flyway:defaultSchema}.${prefix}pgqj_paused_entrypoints IS
    'pgqueuer-jooq: entrypoints paused for Java workers (QueueAdmin.pause, pgqj pause); not part of pgqueuer''s schema';
