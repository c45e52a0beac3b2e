package org.pgqj.testing.queue;

import static org.jooq.impl.DSL.val;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_SCHEDULES;

import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;

/**
 * The queue's time, for tests: {@link #advance} makes the queue look as it will {@code by} later, so a delayed
 * job, a retry's backoff or a schedule's next run comes due without waiting.
 *
 * <p>Workers, schedulers and Python pgqueuer all compare against the database's {@code now()}, and that is not
 * changed (it cannot be, per session, without touching the SQL they run). Instead the clock moves the stored times
 * back: {@code execute_after} and {@code created} of the queued jobs, {@code next_run} and {@code last_run} of the
 * schedules. Relative to {@code now()} that is the same as time passing, for every reader, in both languages.
 * Picked jobs and their heartbeats are left alone: a running job's staleness is the worker's business.
 */
public final class QueueClock {

    private final DataSource dataSource;
    private final QueueTables tables;

    private QueueClock(DataSource dataSource, QueueTables tables) {
        this.dataSource = dataSource;
        this.tables = tables;
    }

    /** The clock of the install {@code tables} in {@code dataSource}'s database. */
    public static QueueClock of(DataSource dataSource, QueueTables tables) {
        return new QueueClock(Objects.requireNonNull(dataSource, "dataSource"), Objects.requireNonNull(tables, "tables"));
    }

    /**
     * Moves the queue {@code by} into the future, in one transaction: queued jobs and schedules come due as they
     * would after {@code by}. A worker that is waiting for the next due time is not woken; a scheduler or worker
     * started afterwards (or {@link QueueDrainer#drain}) sees the new times at once.
     *
     * @return how many jobs and schedules were moved
     * @throws IllegalArgumentException when {@code by} is negative
     */
    public int advance(Duration by) {
        Objects.requireNonNull(by, "by");
        if (by.isNegative()) {
            throw new IllegalArgumentException("A queue clock only moves forward; got " + by);
        }
        // jOOQ subtracts a number from a timestamp as days, as RetryQuery adds a delay
        Field<Double> days = val(by.toNanos() / 86_400e9);
        DSLContext dsl = tables.dsl(dataSource);
        return dsl.transactionResult(tx -> {
            int jobs = tx.dsl().update(PGQUEUER)
                    .set(PGQUEUER.EXECUTE_AFTER, PGQUEUER.EXECUTE_AFTER.minus(days))
                    .set(PGQUEUER.CREATED, PGQUEUER.CREATED.minus(days))
                    .where(PGQUEUER.STATUS.eq(PgqueuerStatus.queued))
                    .execute();
            int schedules = tx.dsl().update(PGQUEUER_SCHEDULES)
                    .set(PGQUEUER_SCHEDULES.NEXT_RUN, PGQUEUER_SCHEDULES.NEXT_RUN.minus(days))
                    .set(PGQUEUER_SCHEDULES.LAST_RUN, PGQUEUER_SCHEDULES.LAST_RUN.minus(days))
                    .execute();
            return jobs + schedules;
        });
    }
}
