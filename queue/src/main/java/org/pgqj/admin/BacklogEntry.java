package org.pgqj.admin;

import java.time.Instant;
import java.util.Objects;

/**
 * The queued jobs of one entrypoint and how long they have waited ({@code pgq backlog}).
 *
 * @param entrypoint       the entrypoint
 * @param queuedCount      how many jobs wait in status queued
 * @param oldestCreated    when the oldest of them was enqueued
 * @param oldestAgeSeconds its age in seconds (database clock)
 * @param avgAgeSeconds    their average age in seconds
 */
public record BacklogEntry(String entrypoint, long queuedCount, Instant oldestCreated, double oldestAgeSeconds,
                           double avgAgeSeconds) {
    /** Validates. */
    public BacklogEntry {
        Objects.requireNonNull(entrypoint, "entrypoint");
        Objects.requireNonNull(oldestCreated, "oldestCreated");
    }
}
