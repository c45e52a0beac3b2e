package org.pgqj.admin;

import java.time.Duration;

/**
 * What one prune run removed.
 *
 * @param rowsDeleted how many rows were deleted
 * @param batches     how many short transactions it took
 * @param elapsed     how long it ran
 */
public record PruneResult(long rowsDeleted, int batches, Duration elapsed) {
}
