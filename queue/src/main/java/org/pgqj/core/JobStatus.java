package org.pgqj.core;

import org.pgqj.codegen.enums.PgqueuerStatus;

/** A job's state, as pgqueuer's {@code pgqueuer_status} labels (CONTRACT §3). */
public enum JobStatus {
    /** Waiting to be claimed (possibly not before its {@code execute_after}). */
    QUEUED(PgqueuerStatus.queued),
    /** Claimed by a worker and running. */
    PICKED(PgqueuerStatus.picked),
    /** Terminal: the handler returned normally. */
    SUCCESSFUL(PgqueuerStatus.successful),
    /** Terminal: the handler threw; the log row carries the traceback. */
    EXCEPTION(PgqueuerStatus.exception),
    /** Terminal: canceled by id. */
    CANCELED(PgqueuerStatus.canceled),
    /** Terminal: removed by a clear of the queue. */
    DELETED(PgqueuerStatus.deleted),
    /** Held after a failure (entrypoint option on-failure = hold); can be requeued. */
    FAILED(PgqueuerStatus.failed);

    private final PgqueuerStatus db;

    JobStatus(PgqueuerStatus db) {
        this.db = db;
    }

    /** The generated enum value for queries. */
    public PgqueuerStatus toDb() {
        return db;
    }

    /** The label as stored, e.g. {@code "queued"}. */
    public String label() {
        return db.getLiteral();
    }

    /** Whether a job in this state has finished for good (its queue row is gone). */
    public boolean isTerminal() {
        return this == SUCCESSFUL || this == EXCEPTION || this == CANCELED || this == DELETED;
    }

    /** The status for a stored label such as {@code "picked"}. */
    public static JobStatus fromLabel(String label) {
        for (JobStatus s : values()) {
            if (s.label().equals(label)) {
                return s;
            }
        }
        throw new IllegalArgumentException("Unknown pgqueuer_status label '" + label + "'");
    }

    /** The status for a generated enum value. */
    public static JobStatus fromDb(PgqueuerStatus status) {
        if (status == null) {
            throw new IllegalArgumentException("Unknown pgqueuer_status null");
        }
        return fromLabel(status.getLiteral());
    }
}
