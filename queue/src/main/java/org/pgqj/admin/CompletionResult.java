package org.pgqj.admin;

import java.util.Map;
import java.util.Set;

/**
 * What {@link QueueAdmin#waitForCompletion} saw.
 *
 * @param finished the jobs that reached a terminal status (successful, exception, canceled, deleted), with it
 * @param pending  the jobs still without a terminal status when the wait ended (timeout)
 */
public record CompletionResult(Map<Long, org.pgqj.core.JobStatus> finished, Set<Long> pending) {

    /** Copies. */
    public CompletionResult {
        finished = Map.copyOf(finished);
        pending = Set.copyOf(pending);
    }

    /** Whether every job finished before the timeout. */
    public boolean isComplete() {
        return pending.isEmpty();
    }
}
