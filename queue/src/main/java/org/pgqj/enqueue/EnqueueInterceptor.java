package org.pgqj.enqueue;

import java.util.List;

/**
 * Sees every batch a {@link JobQueue} is about to write, before anything is sent, and may add to its
 * jobs (headers: a tracing context, a tenant id). Register with {@link JobQueue#withInterceptor}.
 *
 * <pre>{@code
 * JobQueue queue = JobQueue.create(tables).withInterceptor(jobs -> jobs.stream()
 *         .map(j -> j.toBuilder().header("tenant", Tenant.current()).build())
 *         .toList());
 * }</pre>
 *
 * <p>Called on the caller's thread, in its transaction, once per enqueue call (a single job is a batch of
 * one). An exception ends the call before anything is written.
 */
@FunctionalInterface
public interface EnqueueInterceptor {

    /**
     * The jobs to write instead of {@code jobs}.
     *
     * @param jobs the batch in input order (never empty)
     * @return one job per input job, in the same order (the ids are returned in that order)
     */
    List<NewJob> beforeEnqueue(List<NewJob> jobs);
}
