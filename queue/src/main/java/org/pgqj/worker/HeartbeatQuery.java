package org.pgqj.worker;

import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.util.Collection;
import org.jooq.DSLContext;

/** pgqueuer's heartbeat: {@code UPDATE pgqueuer SET heartbeat = now() WHERE id = ANY(ids)}. */
final class HeartbeatQuery {

    private HeartbeatQuery() {
    }

    static int beat(DSLContext dsl, Collection<Long> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        return dsl.update(PGQUEUER).set(PGQUEUER.HEARTBEAT, currentOffsetDateTime())
                .where(PGQUEUER.ID.eq(any(ids.stream().distinct().toArray(Long[]::new))))
                .execute();
    }
}
