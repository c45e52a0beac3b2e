package org.pgqj.internal.queue;

import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.val;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.time.Duration;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.impl.SQLDataType;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.notify.NotifyPayloads;
import org.pgqj.internal.sql.Cte;
import org.pgqj.internal.sql.Statuses;
import org.pgqj.notify.TableChangedEvent;

/**
 * A retry (CONTRACT §3): the row goes back to {@code queued} with {@code execute_after = now() + delay},
 * {@code attempts + 1}, no owner, and a {@code queued} log row with the traceback, in one statement; then a
 * {@code table_changed_event} NOTIFY (pgqueuer 2.0) so an idle worker picks it up when it is due. A snooze is the
 * same without counting an attempt or logging a traceback.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class RetryQuery {

    private RetryQuery() {
    }

    /** Re-queues job {@code jobId} to run after {@code delay}, counting an attempt and logging {@code traceback}. */
    public static void retry(DSLContext dsl, QueueTables tables, long jobId, Duration delay, JSONB traceback) {
        requeue(dsl, tables, jobId, delay, PGQUEUER.ATTEMPTS.plus(inline(1)), traceback);
    }

    /**
     * A snooze: as {@link #retry}, but {@code attempts} stays as it is and the {@code queued} log row has no
     * traceback (as pgqueuer's requeue logs it): a traceback on a {@code queued} row marks a failed attempt.
     */
    public static void snooze(DSLContext dsl, QueueTables tables, long jobId, Duration delay) {
        requeue(dsl, tables, jobId, delay, PGQUEUER.ATTEMPTS, null);
    }

    private static void requeue(DSLContext dsl, QueueTables tables, long jobId, Duration delay, Field<Integer> attempts,
                                JSONB traceback) {
        // jOOQ adds a numeric to a timestamp as days: now() + delay expressed in (fractional) days
        Field<Double> days = val(delay.toNanos() / 86_400e9);
        var requeued = name("retry").fields("id", "entrypoint", "priority").as(dsl.update(PGQUEUER)
                .set(PGQUEUER.STATUS, Statuses.literal(PgqueuerStatus.queued))
                .set(PGQUEUER.EXECUTE_AFTER, currentOffsetDateTime().plus(days))
                .set(PGQUEUER.ATTEMPTS, attempts)
                .set(PGQUEUER.UPDATED, currentOffsetDateTime())
                .setNull(PGQUEUER.QUEUE_MANAGER_ID)
                .where(PGQUEUER.ID.eq(jobId))
                .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
        dsl.with(requeued)
                .insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT,
                        PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.TRACEBACK)
                .select(select(Cte.col(requeued, "id", Long.class), Statuses.literal(PgqueuerStatus.queued),
                        Cte.col(requeued, "entrypoint", String.class), Cte.col(requeued, "priority", Integer.class),
                        DSL_cast(traceback)).from(requeued))
                .execute();
        notifyUpdate(dsl, tables);
    }

    /**
     * pgqueuer 2.0: a requeued or retried job wakes idle workers at once (the retry here, {@code QueueAdmin.requeue}). The trigger sends nothing on UPDATE,
     * so the UPDATE paths send the {@code table_changed_event} themselves (operation {@code update}, delivered at
     * commit); Java and Python workers alike treat it as "look for work".
     */
    public static void notifyUpdate(DSLContext dsl, QueueTables tables) {
        NotifyPayloads.send(dsl, TableChangedEvent.update(tables));
    }

    private static Field<JSONB> DSL_cast(JSONB traceback) {
        return org.jooq.impl.DSL.cast(val(traceback, SQLDataType.JSONB), SQLDataType.JSONB);
    }
}
