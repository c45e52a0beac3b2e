package org.pgqj.admin;

import java.util.Objects;

/**
 * One thing {@link QueueDoctor} found, with what to do about it.
 *
 * @param check    which check found it
 * @param severity how bad: {@link Severity#WARNING} needs a look, {@link Severity#ERROR} loses or stops work
 * @param subject  what it is about: an entrypoint, a table, the schema, the server
 * @param problem  what is wrong, with the figures that show it
 * @param advice   what to do
 */
public record DoctorFinding(Check check, Severity severity, String subject, String problem, String advice) {

    /** How bad a finding is; the order is the order of badness. */
    public enum Severity {
        /** Worth a look: something degrades or will. */
        WARNING,
        /** Work is stuck, lost or about to fail. */
        ERROR
    }

    /** The checks, each with the name {@code pgqj doctor --json} prints. */
    public enum Check {
        /** Due jobs wait and no worker session of either language is connected to the database at all. */
        NO_LIVE_WORKER,
        /** Due jobs of an entrypoint wait and no worker of either language picks them. */
        UNSERVED_ENTRYPOINT,
        /** Due jobs wait longer than the threshold although workers pick the entrypoint: they fall behind. */
        BACKLOG,
        /**
         * Due jobs wait because their entrypoint is paused for every Java worker ({@link QueueAdmin#pause}): on
         * purpose, but easy to forget once the incident is over.
         */
        PAUSED,
        /**
         * Workers of one entrypoint declare different concurrency limits, or a higher one than this application (as
         * far as the picked rows and the live workers show).
         */
        CONCURRENCY_LIMIT,
        /** Picked jobs whose heartbeat stopped: their worker died and nothing re-runs them yet. */
        STALE_PICKED,
        /** The log or statistics table grows and no retention schedule prunes it. */
        RETENTION,
        /** The installed schema lacks objects pgqueuer (or this library) expects. */
        SCHEMA,
        /** The server's NOTIFY queue fills; when full, every enqueue fails. */
        NOTIFY_QUEUE,
        /** Dead rows pile up in the queue table faster than autovacuum removes them. */
        AUTOVACUUM
    }

    /** Validates. */
    public DoctorFinding {
        Objects.requireNonNull(check, "check");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(problem, "problem");
        Objects.requireNonNull(advice, "advice");
    }
}
