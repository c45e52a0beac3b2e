package org.pgqj.testing.queue;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.pgqj.core.JobStatus;

/**
 * What happened to one job during a {@link QueueDrainer#drain}, from the log rows written meanwhile.
 *
 * @param id         the job's id
 * @param entrypoint its entrypoint
 * @param statuses   its log statuses during the drain, in order (e.g. {@code [PICKED, QUEUED, PICKED, SUCCESSFUL]}
 *                   for a retry then a success: a retry logs {@code QUEUED} with its traceback; a job enqueued
 *                   during the drain starts with its own {@code QUEUED})
 * @param traceback  the traceback of its last failure (a retry, an exception or a hold), as pgqueuer's JSON
 */
public record RanJob(long id, String entrypoint, List<JobStatus> statuses, Optional<String> traceback) {

    /** Validates and copies. */
    public RanJob {
        Objects.requireNonNull(entrypoint, "entrypoint");
        statuses = List.copyOf(statuses);
        if (statuses.isEmpty()) {
            throw new IllegalArgumentException("a ran job has at least one log status");
        }
        Objects.requireNonNull(traceback, "traceback");
    }

    /**
     * Where it ended: {@code SUCCESSFUL}, {@code EXCEPTION}, {@code CANCELED}, {@code FAILED} (held), or
     * {@code QUEUED} when its last run asked for a retry that is not due yet ({@link QueueClock#advance} and
     * drain again to run it).
     */
    public JobStatus status() {
        return statuses.get(statuses.size() - 1);
    }

    /** How many times it was retried during the drain. */
    public int retries() {
        int retries = 0;
        for (int i = 1; i < statuses.size(); i++) {
            if (statuses.get(i) == JobStatus.QUEUED && statuses.get(i - 1) == JobStatus.PICKED) {
                retries++;
            }
        }
        return retries;
    }
}
