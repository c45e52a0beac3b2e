package org.pgqj.admin;

import java.time.Duration;
import java.util.Objects;

/**
 * What a bulk action on held jobs did ({@link QueueAdmin#requeueHeld}, {@link QueueAdmin#cancelHeld}).
 *
 * @param jobs    how many jobs it requeued or canceled
 * @param batches how many transactions it committed
 * @param elapsed how long it took
 */
public record BulkResult(long jobs, int batches, Duration elapsed) {
    /** Validates. */
    public BulkResult {
        Objects.requireNonNull(elapsed, "elapsed");
    }
}
