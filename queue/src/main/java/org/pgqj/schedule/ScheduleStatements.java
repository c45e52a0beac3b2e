package org.pgqj.schedule;

import static org.pgqj.codegen.Tables.PGQUEUER_SCHEDULES;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.jooq.CaseConditionStep;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertValuesStep3;
import org.jooq.Record2;
import org.jooq.Row2;
import org.jooq.impl.DSL;
import org.jooq.types.DayToSecond;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.codegen.tables.records.PgqueuerSchedulesRecord;
import org.pgqj.internal.sql.Cte;
import org.pgqj.internal.sql.Statuses;

/**
 * Every statement of the scheduler on the schedules table, in one place (one file per table).
 *
 * <ul>
 *   <li>{@link #register}: inserts a scheduler's registrations; an existing {@code (expression,
 *       entrypoint)} row (from any scheduler, Java or Python) is kept as it is ({@code ON CONFLICT DO NOTHING}).</li>
 *   <li>{@link #claim}: claims this scheduler's due schedules in one statement, as pgqueuer does (below).</li>
 *   <li>{@link #heartbeat}: {@code UPDATE schedules SET heartbeat = now(), updated = now() WHERE id IN (...running...)}.</li>
 *   <li>{@link #release}: after a run, successful or not: {@code status = 'queued', last_run = now(),
 *       updated = now()}; the {@code next_run} was already moved on by the claim.</li>
 *   <li>{@link #runNow}: {@code UPDATE schedules SET next_run = date_trunc('second', now()), updated = now()
 *       WHERE id = ? AND status = 'queued'}: due at once for every scheduler, Java or Python, that registered
 *       it; the claim then sets the next regular fire time, so the schedule keeps its rhythm.</li>
 * </ul>
 *
 * <p>The claim:
 * <pre>
 * WITH picked (picked_id, due) AS (SELECT id, next_run FROM schedules
 *                 WHERE (entrypoint, expression) IN (...this scheduler's registrations...)
 *                   AND ((status = 'queued' AND next_run &lt;= now())
 *                     OR (status = 'picked' AND heartbeat &lt; now() - interval '30 seconds'))
 *                 FOR UPDATE SKIP LOCKED)
 * UPDATE schedules SET status = 'picked', updated = now(), heartbeat = now(),
 *        next_run = date_trunc('second', now() + CASE ... delay of this registration ... END)
 *                   (or the fire time after that, should it not be later than a past picked.due)
 * FROM picked WHERE schedules.id = picked.picked_id
 * RETURNING id, expression, entrypoint, last_run, picked.due
 * </pre>
 * The second branch rescues a row whose runner died (no heartbeat for 30 s). {@code next_run} moves on
 * at claim time, always past the claimed tick, so no scheduler (Java or Python) finds that tick due again.
 */
final class ScheduleStatements {

    private ScheduleStatements() {}

    /** A row's heartbeat older than this means its runner is gone (pgqueuer's fixed 30 s). */
    static final Duration STALE_AFTER = Duration.ofSeconds(30);

    /** A claimed row: the tick it is for ({@code due}) and what the task is told. */
    record Claimed(long id, String expression, String entrypoint, Instant due, Optional<Instant> lastRun) {}

    /** Claims the due (or abandoned) rows of {@code registrations}. */
    static List<Claimed> claim(DSLContext dsl, List<ScheduleRegistration> registrations, Instant now) {
        var s = PGQUEUER_SCHEDULES;
        Field<OffsetDateTime> dbNow = DSL.currentOffsetDateTime();

        List<Row2<String, String>> keys = new ArrayList<>(registrations.size());
        CaseConditionStep<DayToSecond> delay = null;
        CaseConditionStep<DayToSecond> delayAfter = null;
        for (ScheduleRegistration r : registrations) {
            keys.add(DSL.row(r.entrypoint(), r.expression()));
            Condition same = s.ENTRYPOINT.eq(r.entrypoint()).and(s.EXPRESSION.eq(r.expression()));
            Instant next = r.cron().nextAfter(now).orElseThrow();
            Instant afterNext = r.cron().nextAfter(next).orElse(next);
            Field<DayToSecond> in = ScheduleTimes.interval(Duration.between(now, next));
            Field<DayToSecond> inAfter = ScheduleTimes.interval(Duration.between(now, afterNext));
            delay = delay == null ? DSL.when(same, in) : delay.when(same, in);
            delayAfter = delayAfter == null ? DSL.when(same, inAfter) : delayAfter.when(same, inAfter);
        }
        if (delay == null) {
            return List.of();
        }

        Condition due = s.STATUS.eq(Statuses.literal(PgqueuerStatus.queued)).and(s.NEXT_RUN.le(dbNow));
        Condition abandoned = s.STATUS.eq(Statuses.literal(PgqueuerStatus.picked))
                .and(s.HEARTBEAT.lt(dbNow.minus(ScheduleTimes.interval(STALE_AFTER))));

        CommonTableExpression<Record2<Long, OffsetDateTime>> picked = DSL.name("picked").fields("picked_id", "due").as(
                DSL.select(s.ID, s.NEXT_RUN)
                        .from(s)
                        .where(DSL.row(s.ENTRYPOINT, s.EXPRESSION).in(keys))
                        .and(due.or(abandoned))
                        .forUpdate()
                        .skipLocked());
        // Unqualified on purpose: QueueTables' render mapping would qualify "picked" with the install's
        // schema, and a CTE has none. The names are unique within the statement.
        Field<Long> pickedId = Cte.col(picked, "picked_id", Long.class);
        Field<OffsetDateTime> pickedDue = Cte.col(picked, "due", OffsetDateTime.class);
        // pgqueuer's next_run; if the JVM clock read "now" a moment before the database clock passed the
        // due tick being claimed, that would be the claimed tick itself, so take the fire time after it.
        // (A rescued row's next_run may lie ahead; that tick has not run, so it is kept.)
        Field<OffsetDateTime> nextRun = ScheduleTimes.nextRun(delay.else_(ScheduleTimes.interval(Duration.ZERO)));
        Field<OffsetDateTime> nextRunAfter = ScheduleTimes.nextRun(delayAfter.else_(ScheduleTimes.interval(Duration.ZERO)));

        return dsl.with(picked)
                .update(s)
                .set(s.STATUS, Statuses.literal(PgqueuerStatus.picked))
                .set(s.UPDATED, dbNow)
                .set(s.HEARTBEAT, dbNow)
                .set(s.NEXT_RUN, DSL.when(nextRun.gt(pickedDue).or(pickedDue.gt(dbNow)), nextRun).else_(nextRunAfter))
                .from(picked)
                .where(s.ID.eq(pickedId))
                .returningResult(s.ID, s.EXPRESSION, s.ENTRYPOINT, s.LAST_RUN, pickedDue)
                .fetch(r -> new Claimed(r.value1(), r.value2(), r.value3(), r.value5().toInstant(),
                        Optional.ofNullable(r.value4()).map(OffsetDateTime::toInstant)));
    }

    /** Returns how many rows were new. */
    static int register(DSLContext dsl, List<ScheduleRegistration> registrations, Instant now) {
        var s = PGQUEUER_SCHEDULES;
        InsertValuesStep3<PgqueuerSchedulesRecord, String, OffsetDateTime, String> insert =
                dsl.insertInto(s, s.EXPRESSION, s.NEXT_RUN, s.ENTRYPOINT);
        for (ScheduleRegistration r : registrations) {
            insert = insert.values(DSL.val(r.expression()),
                    ScheduleTimes.nextRun(ScheduleTimes.interval(r.cron().nextIn(now))),
                    DSL.val(r.entrypoint()));
        }
        return insert.onConflict(s.EXPRESSION, s.ENTRYPOINT).doNothing().execute();
    }

    /** Beats the heartbeat of the running rows {@code ids}. */
    static int heartbeat(DSLContext dsl, Collection<Long> ids) {
        var s = PGQUEUER_SCHEDULES;
        return dsl.update(s)
                .set(s.HEARTBEAT, DSL.currentOffsetDateTime())
                .set(s.UPDATED, DSL.currentOffsetDateTime())
                .where(s.ID.in(ids))
                .execute();
    }

    /** Makes the idle schedule {@code id} due now; 0 when there is no such row or it is running. */
    static int runNow(DSLContext dsl, long id) {
        var s = PGQUEUER_SCHEDULES;
        return dsl.update(s)
                .set(s.NEXT_RUN, ScheduleTimes.nextRun(ScheduleTimes.interval(Duration.ZERO)))
                .set(s.UPDATED, DSL.currentOffsetDateTime())
                .where(s.ID.eq(id).and(s.STATUS.eq(Statuses.literal(PgqueuerStatus.queued))))
                .execute();
    }

    /** Releases row {@code id} after a run. */
    static int release(DSLContext dsl, long id) {
        var s = PGQUEUER_SCHEDULES;
        return dsl.update(s)
                .set(s.STATUS, Statuses.literal(PgqueuerStatus.queued))
                .set(s.LAST_RUN, DSL.currentOffsetDateTime())
                .set(s.UPDATED, DSL.currentOffsetDateTime())
                .where(s.ID.eq(id))
                .execute();
    }
}
