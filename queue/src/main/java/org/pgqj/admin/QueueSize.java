package org.pgqj.admin;

import java.util.Objects;
import org.pgqj.core.JobStatus;

/**
 * How many jobs of one entrypoint, priority and status are in the queue table.
 *
 * @param entrypoint the entrypoint
 * @param priority   the priority
 * @param status     queued, picked or failed (held)
 * @param count      how many
 */
public record QueueSize(String entrypoint, int priority, JobStatus status, long count) {
    /** Validates. */
    public QueueSize {
        Objects.requireNonNull(entrypoint, "entrypoint");
        Objects.requireNonNull(status, "status");
    }
}
