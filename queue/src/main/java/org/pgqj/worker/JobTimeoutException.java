package org.pgqj.worker;

import java.time.Duration;
import org.pgqj.core.PgqjException;

/**
 * The failure of a job that ran past its entrypoint's {@link EntrypointOptions#timeout()} (or its own, from header
 * {@link org.pgqj.core.Job#TIMEOUT_HEADER}): the worker cancelled its
 * {@link JobContext} and interrupted its thread at the deadline. It is recorded as the handler's failure would be
 * (retried per the entrypoint's {@link RetryPolicy}, else held {@code failed} or {@code exception}), and its type
 * is the {@code exception_type} of the log row's traceback. Made by the worker only; what the handler threw while
 * it was interrupted is kept as the cause. For a handler that ignored the interrupt, its stack trace is the
 * handler thread's when its grace ended: where it is stuck.
 */
public final class JobTimeoutException extends PgqjException {

    private static final long serialVersionUID = 1L;

    private final long jobId;
    private final String entrypoint;
    private final Duration timeout;

    /** {@code source} says whose timeout it was: "its entrypoint's timeout" or "its pgqj-timeout header". */
    JobTimeoutException(long jobId, String entrypoint, Duration timeout, String source, Throwable cause) {
        super("Job " + jobId + " of entrypoint '" + entrypoint + "' timed out after " + FailureLog.human(timeout)
                + " (" + source + "); its context was cancelled and its thread interrupted", cause);
        this.jobId = jobId;
        this.entrypoint = entrypoint;
        this.timeout = timeout;
    }

    /** The id of the job that timed out. */
    public long jobId() {
        return jobId;
    }

    /** Its entrypoint. */
    public String entrypoint() {
        return entrypoint;
    }

    /** The timeout it ran past. */
    public Duration timeout() {
        return timeout;
    }
}
