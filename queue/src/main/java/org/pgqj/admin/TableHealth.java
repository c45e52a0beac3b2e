package org.pgqj.admin;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The install's tables and the server's NOTIFY queue, as {@link QueueInspection#tableHealth} reads them.
 *
 * @param tables                 the four tables, by name
 * @param notificationQueueUsage the share of the server's NOTIFY queue in use (0 to 1,
 *                               {@code pg_notification_queue_usage()}): it fills when a listening session stops
 *                               reading, and at 1 every NOTIFY, and so every enqueue, fails
 * @param oldestLogEntry         when the oldest {@code pgqueuer_log} row was written (empty: the log is empty)
 * @param oldestStatisticsEntry  when the oldest {@code pgqueuer_statistics} row was written (empty: none)
 * @param retentionScheduled     whether a log retention schedule ({@link LogRetention#ENTRYPOINT}) is registered
 * @param at                     the database's clock when read
 */
public record TableHealth(List<TableStats> tables, double notificationQueueUsage, Optional<Instant> oldestLogEntry,
                          Optional<Instant> oldestStatisticsEntry, boolean retentionScheduled, Instant at) {

    /**
     * A log older than this with no retention schedule is worth a hint (the dashboard's, and the default of
     * {@link DoctorOptions#retentionAge()}).
     */
    public static final Duration LOG_AGE_HINT = Duration.ofDays(7);
    /**
     * A log with this many rows (estimated) and no retention schedule is worth a hint (the dashboard's, and the
     * default of {@link DoctorOptions#retentionRows()}).
     */
    public static final long LOG_ROWS_HINT = 1_000_000;

    /** Validates and copies. */
    public TableHealth {
        tables = List.copyOf(tables);
        Objects.requireNonNull(oldestLogEntry, "oldestLogEntry");
        Objects.requireNonNull(oldestStatisticsEntry, "oldestStatisticsEntry");
        Objects.requireNonNull(at, "at");
    }

    /**
     * True when the log grows without bound: no retention schedule is registered and the log is older than
     * {@link #LOG_AGE_HINT} or holds {@link #LOG_ROWS_HINT} rows or more. pgqueuer writes a log row for every state
     * change of every job and never deletes one.
     */
    public boolean logGrowsWithoutRetention() {
        return growsWithoutRetention(table(n -> n.endsWith("pgqueuer_log")), oldestLogEntry, LOG_AGE_HINT, LOG_ROWS_HINT);
    }

    /** The counts of the table named {@code tableName}, if the statistics collector has them. */
    public Optional<TableStats> table(String tableName) {
        Objects.requireNonNull(tableName, "tableName");
        return table(tableName::equals);
    }

    private Optional<TableStats> table(Predicate<String> name) {
        return tables.stream().filter(t -> name.test(t.table().tableName())).findFirst();
    }

    /**
     * The rule of {@link #logGrowsWithoutRetention} for any table and thresholds (the doctor's are
     * {@link DoctorOptions}): no retention schedule, and rows older than {@code age} or {@code rows} rows or more
     * (the larger of the planner's estimate and the collector's count).
     */
    boolean growsWithoutRetention(Optional<TableStats> stats, Optional<Instant> oldest, Duration age, long rows) {
        if (retentionScheduled) {
            return false;
        }
        boolean old = oldest.map(t -> t.isBefore(at.minus(age))).orElse(false);
        boolean big = stats.map(TableStats::rows).orElse(0L) >= rows;
        return old || big;
    }
}
