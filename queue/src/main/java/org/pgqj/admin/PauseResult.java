package org.pgqj.admin;

import java.util.Objects;
import java.util.Optional;

/**
 * What {@link QueueAdmin#pause} or {@link QueueAdmin#resume} did.
 *
 * @param entrypoint   the entrypoint
 * @param paused       whether it is paused now (after the caller commits)
 * @param changed      false when it was in that state already (a second pause keeps the first one's row)
 * @param pythonNotice on a pause, why Python workers may still claim it (they do not know about pause): live
 *                     Python workers, sessions this role cannot see, or its jobs held by workers no live Java
 *                     worker carries; empty when no Python worker is in sight, and on a resume
 */
public record PauseResult(String entrypoint, boolean paused, boolean changed, Optional<String> pythonNotice) {
    /** Validates. */
    public PauseResult {
        Objects.requireNonNull(entrypoint, "entrypoint");
        Objects.requireNonNull(pythonNotice, "pythonNotice");
    }
}
