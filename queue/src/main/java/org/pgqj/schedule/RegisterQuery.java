package org.pgqj.schedule;

import static org.pgqj.codegen.Tables.PGQUEUER_SCHEDULES;

import java.time.Instant;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.InsertValuesStep3;
import org.jooq.impl.DSL;
import org.pgqj.codegen.tables.records.PgqueuerSchedulesRecord;

/**
 * Inserts a scheduler's registrations; an existing {@code (expression, entrypoint)} row (from any
 * scheduler, Java or Python) is kept as it is ({@code ON CONFLICT DO NOTHING}).
 */
final class RegisterQuery {

    private RegisterQuery() {}

    /** Returns how many rows were new. */
    static int insert(DSLContext dsl, List<Registration> registrations, Instant now) {
        var s = PGQUEUER_SCHEDULES;
        InsertValuesStep3<PgqueuerSchedulesRecord, String, java.time.OffsetDateTime, String> insert =
                dsl.insertInto(s, s.EXPRESSION, s.NEXT_RUN, s.ENTRYPOINT);
        for (Registration r : registrations) {
            insert = insert.values(DSL.val(r.expression()),
                    ScheduleTimes.nextRun(ScheduleTimes.interval(r.cron().nextIn(now))),
                    DSL.val(r.entrypoint()));
        }
        return insert.onConflict(s.EXPRESSION, s.ENTRYPOINT).doNothing().execute();
    }
}
