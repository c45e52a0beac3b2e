package org.pgqj.internal.queue;

import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.util.Collection;
import org.jooq.DSLContext;

/**
 * pgqueuer's heartbeat: {@code UPDATE pgqueuer SET heartbeat = now() WHERE id = ANY(ids)}.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class HeartbeatQuery {

    private HeartbeatQuery() {
    }

    /** Beats the rows of {@code ids}; returns how many were updated. */
    public static int beat(DSLContext dsl, Collection<Long> ids) {
        if (ids.isEmpty()) {
            return 0;
        }
        return dsl.update(PGQUEUER).set(PGQUEUER.HEARTBEAT, currentOffsetDateTime())
                .where(PGQUEUER.ID.eq(any(ids.stream().distinct().toArray(Long[]::new))))
                .execute();
    }
}
