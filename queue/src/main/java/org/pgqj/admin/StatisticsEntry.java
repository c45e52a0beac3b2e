package org.pgqj.admin;

import java.time.Instant;
import java.util.Objects;
import org.pgqj.core.JobStatus;

/**
 * One row of {@code pgqueuer_statistics}: how many log rows of one status, entrypoint and priority
 * were written in one second (what {@code pgq dashboard} shows).
 *
 * @param created    the second
 * @param count      how many
 * @param entrypoint the entrypoint
 * @param priority   the priority
 * @param status     the logged status
 */
public record StatisticsEntry(Instant created, long count, String entrypoint, int priority, JobStatus status) {
    /** Validates. */
    public StatisticsEntry {
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(entrypoint, "entrypoint");
        Objects.requireNonNull(status, "status");
    }
}
