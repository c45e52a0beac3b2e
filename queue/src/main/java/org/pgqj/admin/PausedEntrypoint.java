package org.pgqj.admin;

import java.time.Instant;
import java.util.Objects;

/**
 * An entrypoint paused for every Java worker on the database ({@link QueueAdmin#pause}).
 *
 * @param entrypoint the entrypoint's name
 * @param pausedAt   when it was paused (the database's clock)
 * @param pausedBy   who paused it, as the pausing call said (a user, {@code pgqj cli}, the dashboard's user)
 */
public record PausedEntrypoint(String entrypoint, Instant pausedAt, String pausedBy) {
    /** Validates. */
    public PausedEntrypoint {
        Objects.requireNonNull(entrypoint, "entrypoint");
        Objects.requireNonNull(pausedAt, "pausedAt");
        Objects.requireNonNull(pausedBy, "pausedBy");
    }
}
