package org.pgqj.admin;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.pgqj.core.JobStatus;

/**
 * A picked job whose heartbeat is older than a threshold: its worker may have died ({@code pgq stale}).
 *
 * @param id                    the job id
 * @param priority              its priority
 * @param queueManagerId        the worker that picked it, if recorded
 * @param created               when it was enqueued
 * @param updated               its last state change
 * @param heartbeat             its last heartbeat
 * @param executeAfter          not run before this instant
 * @param status                always {@link JobStatus#PICKED}
 * @param entrypoint            its entrypoint
 * @param secondsSinceHeartbeat seconds between its heartbeat and the database's {@code now()}
 */
public record StaleJob(long id, int priority, Optional<UUID> queueManagerId, Instant created, Instant updated,
                       Instant heartbeat, Instant executeAfter, JobStatus status, String entrypoint,
                       double secondsSinceHeartbeat) {
    /** Validates. */
    public StaleJob {
        Objects.requireNonNull(queueManagerId, "queueManagerId");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(entrypoint, "entrypoint");
    }
}
