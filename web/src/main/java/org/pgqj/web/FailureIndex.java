package org.pgqj.web;

import static org.pgqj.codegen.Tables.PGQUEUER;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.pgqj.admin.JobFailure;
import org.pgqj.admin.QueueInspection;
import org.pgqj.codegen.enums.PgqueuerStatus;

/**
 * Every held job with the exception type that held it, for the failures page's totals, groups and filters.
 *
 * <p>The type lives in the job's 'failed' log row ({@link QueueInspection#lastFailures}); reading it for 50,000
 * held jobs on every page view would cost more than the whole page may. So the index remembers the type per
 * (job id, held since): each refresh reads only the held rows' ids, entrypoints and hold times from the queue
 * table, and the log only for jobs it has not seen held at that time (new holds, and jobs held again). Jobs no
 * longer held drop out. One index per dashboard; refreshes are serialised.
 */
final class FailureIndex {

    /** Log lookups per statement when many jobs are new (the first view after a start, a burst of holds). */
    private static final int LOOKUP_CHUNK = 5_000;

    /** A held job as the page filters and groups it. */
    record Held(long id, String entrypoint, Instant heldSince, String exceptionType) {
    }

    private record Known(Instant heldSince, String exceptionType) {
    }

    private final QueueInspection inspection;
    private Map<Long, Known> known = new HashMap<>();

    FailureIndex(QueueInspection inspection) {
        this.inspection = inspection;
    }

    /** Every held job now, newest id first. */
    synchronized List<Held> refresh(DSLContext q) {
        List<Held> held = new ArrayList<>();
        List<Long> unknown = new ArrayList<>();
        Map<Long, Known> next = new HashMap<>();
        for (var r : q.select(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.UPDATED).from(PGQUEUER)
                .where(PGQUEUER.STATUS.eq(DSL.inline(PgqueuerStatus.failed, PGQUEUER.STATUS)))
                .orderBy(PGQUEUER.ID.desc()).fetch()) {
            Instant since = r.value3().toInstant();
            Known k = known.get(r.value1());
            if (k == null || !k.heldSince().equals(since)) {
                unknown.add(r.value1());
                k = new Known(since, null);
            }
            next.put(r.value1(), k);
            held.add(new Held(r.value1(), r.value2(), since, k.exceptionType()));
        }
        for (int i = 0; i < unknown.size(); i += LOOKUP_CHUNK) {
            List<Long> chunk = unknown.subList(i, Math.min(unknown.size(), i + LOOKUP_CHUNK));
            Map<Long, JobFailure> failures = inspection.lastFailures(q, chunk);
            for (Long id : chunk) {
                JobFailure f = failures.get(id);
                next.put(id, new Known(next.get(id).heldSince(), f == null ? "" : f.exceptionType()));
            }
        }
        known = next;
        if (!unknown.isEmpty()) {
            held.replaceAll(h -> h.exceptionType() != null ? h
                    : new Held(h.id(), h.entrypoint(), h.heldSince(), next.get(h.id()).exceptionType()));
        }
        return held;
    }

    /** How many held jobs the index knows (for tests). */
    synchronized int size() {
        return known.size();
    }
}
