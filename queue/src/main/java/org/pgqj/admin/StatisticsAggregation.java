package org.pgqj.admin;

import java.util.Objects;
import org.jooq.DSLContext;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.queue.StatisticsQuery;

/**
 * Folds new log rows into {@code pgqueuer_statistics} counts per (priority, second, status,
 * entrypoint), as pgqueuer workers do every ~30 s. Guarded by the same transaction-level advisory lock
 * as pgqueuer ({@code pg_try_advisory_xact_lock(hashtext('<statistics table>'))}), so of all Java and
 * Python workers only one aggregates at a time and the others skip. Workers run the same statement.
 *
 * <p>Immutable and thread-safe. Runs in the caller's transaction (the lock is released at its end).
 */
public final class StatisticsAggregation {

    private final QueueTables tables;

    private StatisticsAggregation(QueueTables tables) {
        this.tables = Objects.requireNonNull(tables, "tables");
    }

    /** The aggregation for this install. */
    public static StatisticsAggregation of(QueueTables tables) {
        return new StatisticsAggregation(tables);
    }

    /**
     * Aggregates the log rows not yet aggregated, unless another session holds the lock.
     *
     * @return the number of statistics rows inserted or updated (0 when the lock was taken or nothing was new)
     */
    public int aggregate(DSLContext dsl) {
        return StatisticsQuery.aggregate(tables.dsl(Objects.requireNonNull(dsl, "dsl")), tables.names());
    }
}
