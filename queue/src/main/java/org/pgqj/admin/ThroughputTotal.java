package org.pgqj.admin;

import java.util.Objects;
import org.pgqj.core.JobStatus;

/**
 * How many jobs of one entrypoint reached one status within a window, from the statistics table.
 *
 * @param entrypoint the entrypoint
 * @param status     the status counted
 * @param totalCount the sum of the statistics counts
 */
public record ThroughputTotal(String entrypoint, JobStatus status, long totalCount) {
    /** Validates. */
    public ThroughputTotal {
        Objects.requireNonNull(entrypoint, "entrypoint");
        Objects.requireNonNull(status, "status");
    }
}
