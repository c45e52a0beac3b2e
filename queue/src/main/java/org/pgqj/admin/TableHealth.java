package org.pgqj.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The install's tables and the server's NOTIFY queue, as {@link QueueInspection#tableHealth} reads them.
 *
 * @param tables                 the four tables, by name
 * @param notificationQueueUsage the share of the server's NOTIFY queue in use (0 to 1,
 *                               {@code pg_notification_queue_usage()}): it fills when a listening session stops
 *                               reading, and at 1 every NOTIFY, and so every enqueue, fails
 * @param oldestLogEntry         when the oldest {@code pgqueuer_log} row was written (empty: the log is empty)
 * @param retentionScheduled     whether a log retention schedule ({@link LogRetention#ENTRYPOINT}) is registered
 * @param at                     the database's clock when read
 */
public record TableHealth(List<TableStats> tables, double notificationQueueUsage, Optional<Instant> oldestLogEntry,
                          boolean retentionScheduled, Instant at) {

    /** A log older than this with no retention schedule is worth a hint. */
    public static final Duration LOG_AGE_HINT = Duration.ofDays(7);
    /** A log with this many rows (estimated) and no retention schedule is worth a hint. */
    public static final long LOG_ROWS_HINT = 1_000_000;

    /** Validates and copies. */
    public TableHealth {
        tables = List.copyOf(tables);
        Objects.requireNonNull(oldestLogEntry, "oldestLogEntry");
        Objects.requireNonNull(at, "at");
    }

    /**
     * True when the log grows without bound: no retention schedule is registered and the log is older than
     * {@link #LOG_AGE_HINT} or holds {@link #LOG_ROWS_HINT} rows or more. pgqueuer writes a log row for every state
     * change of every job and never deletes one.
     */
    public boolean logGrowsWithoutRetention() {
        if (retentionScheduled) {
            return false;
        }
        boolean old = oldestLogEntry.map(t -> t.isBefore(at.minus(LOG_AGE_HINT))).orElse(false);
        boolean big = tables.stream().filter(t -> t.table().tableName().endsWith("pgqueuer_log"))
                .anyMatch(t -> Math.max(t.table().estimatedRows(), t.liveRows()) >= LOG_ROWS_HINT);
        return old || big;
    }
}
