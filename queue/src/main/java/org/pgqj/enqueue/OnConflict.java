package org.pgqj.enqueue;

/**
 * What an enqueue does when a job's dedupe key is already held by a {@code queued} or {@code picked}
 * job (pgqueuer's {@code on_conflict}).
 */
public enum OnConflict {
    /**
     * Fail the whole batch with {@link DuplicateJobException}; nothing of the batch is written. As with
     * any failed statement, PostgreSQL aborts the caller's transaction: roll it back.
     */
    RAISE,
    /** Skip the conflicting jobs and write the others; {@link EnqueueResult} says which were skipped. */
    SKIP
}
