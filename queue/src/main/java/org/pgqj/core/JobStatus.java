package org.pgqj.core;

/** A job's state, as pgqueuer's {@code pgqueuer_status} labels (CONTRACT §3). */
public enum JobStatus {
    /** Waiting to be claimed (possibly not before its {@code execute_after}). */
    QUEUED("queued"),
    /** Claimed by a worker and running. */
    PICKED("picked"),
    /** Terminal: the handler returned normally. */
    SUCCESSFUL("successful"),
    /** Terminal: the handler threw; the log row carries the traceback. */
    EXCEPTION("exception"),
    /** Terminal: canceled by id. */
    CANCELED("canceled"),
    /** Terminal: removed by a clear of the queue. */
    DELETED("deleted"),
    /** Held after a failure (entrypoint option on-failure = hold); can be requeued. */
    FAILED("failed");

    private final String label;

    JobStatus(String label) {
        this.label = label;
    }

    /** The label as stored, e.g. {@code "queued"}. */
    public String label() {
        return label;
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
}
