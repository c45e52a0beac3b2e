package org.pgqj.admin;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.pgqj.core.JobStatus;

/**
 * One row of the log table: a state change of a job.
 *
 * @param id         the log row's id
 * @param created    when the change happened
 * @param jobId      the job
 * @param status     the status it changed to
 * @param priority   the job's priority
 * @param entrypoint the job's entrypoint
 * @param traceback  the failure record (JSON text, pgqueuer's TracebackRecord) of an exception, if any
 * @param aggregated whether statistics aggregation has counted it
 */
public record LogEntry(long id, Instant created, long jobId, JobStatus status, int priority, String entrypoint,
                       Optional<String> traceback, boolean aggregated) {
    /** Validates. */
    public LogEntry {
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(entrypoint, "entrypoint");
        Objects.requireNonNull(traceback, "traceback");
    }
}
