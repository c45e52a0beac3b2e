package org.pgqj.schedule;

import static org.pgqj.codegen.Tables.PGQUEUER_SCHEDULES;

import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.pgqj.codegen.enums.PgqueuerStatus;

/**
 * After a run, successful or not: {@code status = 'queued', last_run = now(), updated = now()}. The
 * {@code next_run} was already moved on by {@link ClaimQuery}.
 */
final class ReleaseQuery {

    private ReleaseQuery() {}

    static int release(DSLContext dsl, long id) {
        var s = PGQUEUER_SCHEDULES;
        return dsl.update(s)
                .set(s.STATUS, DSL.inline(PgqueuerStatus.queued, s.STATUS))
                .set(s.LAST_RUN, DSL.currentOffsetDateTime())
                .set(s.UPDATED, DSL.currentOffsetDateTime())
                .where(s.ID.eq(id))
                .execute();
    }
}
