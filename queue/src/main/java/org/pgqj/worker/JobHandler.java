package org.pgqj.worker;

import org.pgqj.core.Job;

/** Runs one job given its raw row. Returning normally marks it {@code successful}. */
@FunctionalInterface
public interface JobHandler {

    /**
     * Runs the job. Throw {@link RetryRequested} to run it again later; any other exception ends it as
     * {@code exception} (or {@code failed} when held, or retried by the entrypoint's retry policy).
     */
    void handle(Job job, JobContext context) throws Exception;
}
