package org.pgqj.schedule;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import org.pgqj.core.JobStatus;

/**
 * A row of {@code pgqueuer_schedules}, as {@code pgq schedules} shows it.
 *
 * @param status {@link JobStatus#QUEUED} between runs, {@link JobStatus#PICKED} while a scheduler runs it
 */
public record Schedule(long id, String expression, String entrypoint, Instant heartbeat, Instant created,
                       Instant updated, Instant nextRun, Optional<Instant> lastRun, JobStatus status) {

    public Schedule {
        Objects.requireNonNull(expression, "expression");
        Objects.requireNonNull(entrypoint, "entrypoint");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(updated, "updated");
        Objects.requireNonNull(nextRun, "nextRun");
        Objects.requireNonNull(lastRun, "lastRun");
        Objects.requireNonNull(status, "status");
    }
}
