package org.pgqj.schedule;

import static org.pgqj.codegen.Tables.PGQUEUER_SCHEDULES;

import java.util.Collection;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/** {@code UPDATE schedules SET heartbeat = now(), updated = now() WHERE id IN (...running...)}. */
final class HeartbeatQuery {

    private HeartbeatQuery() {}

    static int beat(DSLContext dsl, Collection<Long> ids) {
        var s = PGQUEUER_SCHEDULES;
        return dsl.update(s)
                .set(s.HEARTBEAT, DSL.currentOffsetDateTime())
                .set(s.UPDATED, DSL.currentOffsetDateTime())
                .where(s.ID.in(ids))
                .execute();
    }
}
