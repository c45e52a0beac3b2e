package org.pgqj.admin;

import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.val;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;
import static org.pgqj.codegen.Tables.PGQUEUER_STATISTICS;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Objects;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.jooq.types.DayToSecond;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes old log and statistics rows, which neither pgqueuer nor a worker ever removes (the log gains a row
 * with every state change of every job).
 *
 * <p>Rows go in bounded batches, each its own short transaction on a connection from the data source:
 * a batch locks at most {@link #batchSize()} rows, skips rows another session has locked (a worker's
 * statistics aggregation, say) instead of waiting for them, and commits before the next batch starts, so a
 * prune of millions of rows never holds a long lock and never blocks enqueue, claim or aggregation. The
 * cut-off ({@code now() - olderThan}) is read once at the start, so a run ends even while new rows arrive.
 *
 * <p>Only log rows that statistics aggregation has already counted ({@code aggregated}) are deleted, so
 * pruning never loses a count. A job whose last log row is pruned has no status for
 * {@link QueueAdmin#jobStatuses} any more.
 *
 * <p>The built-in retention schedule ({@link #ENTRYPOINT} on {@link #DEFAULT_CRON}) runs these two calls:
 * {@code Scheduler.Builder.retention} wires it, and pgqueuer's schedule claim ({@code FOR UPDATE SKIP LOCKED}
 * on the schedule row) lets at most one scheduler of the whole fleet run it at a time. Immutable and
 * thread-safe.
 */
public final class LogRetention {

    /** The entrypoint name of the built-in retention schedule. */
    public static final String ENTRYPOINT = "pgqj_retention";
    /**
     * The cron of the built-in schedule unless told otherwise: hourly at minute 17, away from the top of the
     * hour where other schedules crowd.
     */
    public static final String DEFAULT_CRON = "17 * * * *";
    /** Rows per batch unless told otherwise. */
    public static final int DEFAULT_BATCH_SIZE = 5_000;

    private static final Logger LOG = LoggerFactory.getLogger(LogRetention.class);

    private final QueueTables tables;
    private final int batchSize;

    private LogRetention(QueueTables tables, int batchSize) {
        this.tables = Objects.requireNonNull(tables, "tables");
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize must be at least 1 (got " + batchSize + ")");
        }
        this.batchSize = batchSize;
    }

    /** Retention for this install with batches of {@value #DEFAULT_BATCH_SIZE} rows. */
    public static LogRetention create(QueueTables tables) {
        return new LogRetention(tables, DEFAULT_BATCH_SIZE);
    }

    /** A copy that deletes at most {@code rows} rows per transaction. */
    public LogRetention batchSize(int rows) {
        return new LogRetention(tables, rows);
    }

    /** Rows per batch. */
    public int batchSize() {
        return batchSize;
    }

    /**
     * Deletes aggregated log rows created more than {@code olderThan} ago.
     *
     * @throws IllegalArgumentException when {@code olderThan} is negative
     * @throws PgqjException            when the database fails (batches already committed stay deleted)
     */
    public PruneResult pruneLog(DataSource dataSource, Duration olderThan) {
        return prune(dataSource, olderThan, "log", (q, cutoff) -> q.deleteFrom(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.ID.in(select(PGQUEUER_LOG.ID).from(PGQUEUER_LOG)
                        .where(PGQUEUER_LOG.CREATED.lt(cutoff).and(PGQUEUER_LOG.AGGREGATED.isTrue()))
                        .limit(batchSize).forUpdate().skipLocked()))
                .execute());
    }

    /**
     * Deletes statistics rows created more than {@code olderThan} ago.
     *
     * @throws IllegalArgumentException when {@code olderThan} is negative
     * @throws PgqjException            when the database fails (batches already committed stay deleted)
     */
    public PruneResult pruneStatistics(DataSource dataSource, Duration olderThan) {
        return prune(dataSource, olderThan, "statistics", (q, cutoff) -> q.deleteFrom(PGQUEUER_STATISTICS)
                .where(PGQUEUER_STATISTICS.ID.in(select(PGQUEUER_STATISTICS.ID).from(PGQUEUER_STATISTICS)
                        .where(PGQUEUER_STATISTICS.CREATED.lt(cutoff))
                        .limit(batchSize).forUpdate().skipLocked()))
                .execute());
    }

    private interface BatchDelete {
        int run(DSLContext q, OffsetDateTime cutoff);
    }

    private PruneResult prune(DataSource dataSource, Duration olderThan, String what, BatchDelete batch) {
        Objects.requireNonNull(dataSource, "dataSource");
        requireNotNegative(olderThan);
        long started = System.nanoTime();
        long deleted = 0;
        int batches = 0;
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true); // each batch commits on its own: no lock outlives its batch
            DSLContext q = tables.dsl(DSL.using(c, SQLDialect.POSTGRES));
            OffsetDateTime cutoff = q.select(currentOffsetDateTime().minus(val(DayToSecond.valueOf(olderThan))))
                    .fetchSingle().value1();
            int n;
            do {
                n = batch.run(q, cutoff);
                deleted += n;
                batches++;
            } while (n >= batchSize);
        } catch (SQLException | org.jooq.exception.DataAccessException e) {
            throw new PgqjException("Pruning the " + what + " table of " + tables + " failed after " + deleted
                    + " rows: " + e.getMessage(), e);
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        if (deleted > 0) {
            LOG.debug("Pruned {} {} rows older than {} in {} batches ({} ms)", deleted, what, olderThan, batches,
                    elapsed.toMillis());
        }
        return new PruneResult(deleted, batches, elapsed);
    }

    private static void requireNotNegative(Duration olderThan) {
        Objects.requireNonNull(olderThan, "olderThan");
        if (olderThan.isNegative()) {
            throw new IllegalArgumentException("olderThan must not be negative (got " + olderThan
                    + "); pass how old a row must be to go, e.g. Duration.ofDays(7)");
        }
    }

    @Override
    public String toString() {
        return "LogRetention[" + tables + ", batchSize " + batchSize + "]";
    }
}
