package org.pgqj.testing;

/**
 * pgqueuer's own enqueue statement (CONTRACT §3: arrays + unnest, {@code execute_after + now()}, the
 * {@code queued} log rows in the same statement), written out as Python sends it. Tests compare the rows
 * {@code JobQueue} writes with the rows this writes (and the dashboard's tests write Python's rows with it); the enqueue benchmark uses it as the bare-SQL reference.
 * Binds: priority int[], entrypoint text[], payload bytea[], delay interval[], dedupe_key text[], headers jsonb[];
 * returns (ord, id) in input order.
 */
public final class PgqueuerEnqueueStatement {

    /** The statement, for the default install (no prefix, the connection's schema). */
    public static final String SQL = """
            WITH input AS MATERIALIZED (
              SELECT nextval((SELECT pg_get_serial_sequence('pgqueuer','id'))) AS id, priority, entrypoint,
                     payload, execute_after, dedupe_key, headers, ord
              FROM UNNEST(?::int[], ?::text[], ?::bytea[], ?::interval[], ?::text[], ?::jsonb[]) WITH ORDINALITY
                   AS t(priority, entrypoint, payload, execute_after, dedupe_key, headers, ord)),
            inserted AS (
              INSERT INTO pgqueuer (id, priority, entrypoint, payload, execute_after, dedupe_key, headers, status)
              SELECT id, priority, entrypoint, payload, execute_after + NOW(), dedupe_key, headers, 'queued'
              FROM input RETURNING id, entrypoint, priority),
            logged AS (
              INSERT INTO pgqueuer_log (job_id, status, entrypoint, priority)
              SELECT id, 'queued', entrypoint, priority FROM inserted)
            SELECT i.ord, ins.id FROM inserted ins JOIN input i ON i.id = ins.id ORDER BY i.ord""";

    private PgqueuerEnqueueStatement() {
    }
}
