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
    SKIP,
    /**
     * pgqueuer 1.6's {@code on_conflict="update_priority"}: a conflicting job is not written; instead the live
     * job holding the key gets the higher of its own and the new priority (never a lower one), and its EXISTING
     * id is returned in the new job's place. No {@code queued} log row is written for it (it was queued before).
     * A batch must not repeat a dedupe key ({@link IllegalArgumentException}): PostgreSQL cannot update one row
     * twice in a statement.
     */
    UPDATE_PRIORITY
}
