package org.pgqj.admin;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * A queue manager (worker) that holds picked jobs ({@code pgq workers}).
 *
 * @param queueManagerId  the worker's id
 * @param activeJobs      how many picked jobs it holds
 * @param oldestHeartbeat the oldest heartbeat among them
 * @param newestHeartbeat the newest heartbeat among them
 * @param entrypoints     the entrypoints of those jobs, sorted
 */
public record ActiveWorker(UUID queueManagerId, long activeJobs, Instant oldestHeartbeat, Instant newestHeartbeat,
                           List<String> entrypoints) {
    /** Validates and copies. */
    public ActiveWorker {
        Objects.requireNonNull(queueManagerId, "queueManagerId");
        entrypoints = List.copyOf(entrypoints);
    }
}
