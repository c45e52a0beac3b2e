package org.pgqj.web;

import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.sum;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.pgqj.admin.QueueInspection;
import org.pgqj.codegen.enums.PgqueuerStatus;

/**
 * Every held job with the exception type that held it, for the failures page's totals, groups and filters.
 *
 * <p>The type lives in the job's 'failed' log row ({@link QueueInspection#lastFailures}), and there may be 50,000
 * held jobs: reading them all, and their log rows, on every page view costs more than a page may. So the index
 * keeps them between views and checks on each view, with one aggregate over the held rows (count, sum of ids,
 * newest hold time), whether anything changed. When nothing did, the page uses what it has. When only new holds
 * arrived (the usual change during an outage: the count grew), it reads just the rows held since its newest one
 * and keeps the result if it adds up to the database's aggregate; any other change (requeued or canceled jobs)
 * reads the held rows again. A job held again gets a new, newest hold time, so it shows as a change too. Log rows
 * are read only for jobs not seen held at that time before. One index per dashboard; refreshes are serialised.
 */
final class FailureIndex {

    /**
     * Log lookups per statement when many jobs are new (the first view after a start, a burst of holds): with many
     * ids PostgreSQL reads the 'failed' log rows by status and tests the ids by hash, one pass for all of them.
     */
    private static final int LOOKUP_CHUNK = 50_000;
    private static final Condition HELD = PGQUEUER.STATUS.eq(inline(PgqueuerStatus.failed, PGQUEUER.STATUS));

    /** A held job as the page filters and groups it. */
    record Held(long id, String entrypoint, Instant heldSince, String exceptionType) {
    }

    /** What identifies a set of held rows: how many, the sum of their ids, their newest hold time. */
    private record Fingerprint(long count, BigInteger idSum, Optional<Instant> newest) {
        static Fingerprint of(Iterable<Held> rows) {
            long n = 0;
            BigInteger ids = BigInteger.ZERO;
            Instant newest = null;
            for (Held h : rows) {
                n++;
                ids = ids.add(BigInteger.valueOf(h.id()));
                newest = newest == null || h.heldSince().isAfter(newest) ? h.heldSince() : newest;
            }
            return new Fingerprint(n, ids, Optional.ofNullable(newest));
        }
    }

    private final QueueInspection inspection;
    /** One String object per entrypoint and exception type, so the page's grouping compares them by reference. */
    private final Map<String, String> names = new HashMap<>();
    private List<Held> held = List.of();
    private Fingerprint fingerprint;

    FailureIndex(QueueInspection inspection) {
        this.inspection = inspection;
    }

    /** Every held job now, newest id first. */
    synchronized List<Held> refresh(DSLContext q) {
        Fingerprint now = fingerprint(q);
        if (now.equals(fingerprint)) {
            return held;
        }
        List<Held> rows = null;
        if (fingerprint != null && now.count() >= fingerprint.count() && fingerprint.newest().isPresent()) {
            Map<Long, Held> merged = new LinkedHashMap<>();
            held.forEach(h -> merged.put(h.id(), h));
            // >=: a hold in the same microsecond as the newest one known may be new as well
            rows(q, PGQUEUER.UPDATED.ge(fingerprint.newest().get().atOffset(ZoneOffset.UTC)))
                    .forEach(h -> merged.merge(h.id(), h, (old, fresh) -> old.heldSince().equals(fresh.heldSince()) ? old : fresh));
            if (Fingerprint.of(merged.values()).equals(now)) {
                rows = new ArrayList<>(merged.values());
                rows.sort(Comparator.comparingLong(Held::id).reversed());
            }
        }
        if (rows == null) {
            rows = rows(q, DSL.trueCondition());
        }
        held = withTypes(q, rows);
        fingerprint = Fingerprint.of(held);
        return held;
    }

    /** The known type of each job held at the same time as before; the log's for the others. */
    private List<Held> withTypes(DSLContext q, List<Held> rows) {
        Map<Long, Held> known = new HashMap<>();
        held.forEach(h -> known.put(h.id(), h));
        Set<Long> lookup = new LinkedHashSet<>();
        for (Held h : rows) {
            Held k = known.get(h.id());
            if (h.exceptionType() == null && (k == null || !k.heldSince().equals(h.heldSince()))) {
                lookup.add(h.id());
            }
        }
        Map<Long, String> types = new HashMap<>();
        List<Long> ids = new ArrayList<>(lookup);
        for (int i = 0; i < ids.size(); i += LOOKUP_CHUNK) {
            inspection.lastFailures(q, ids.subList(i, Math.min(ids.size(), i + LOOKUP_CHUNK)))
                    .forEach((id, f) -> types.put(id, name(f.exceptionType())));
        }
        List<Held> out = new ArrayList<>(rows.size());
        for (Held h : rows) {
            if (h.exceptionType() != null) {
                out.add(h);
            } else {
                String type = lookup.contains(h.id()) ? types.getOrDefault(h.id(), "") : known.get(h.id()).exceptionType();
                out.add(new Held(h.id(), h.entrypoint(), h.heldSince(), type));
            }
        }
        return out;
    }

    /** Held rows matching {@code which}, newest id first, their types not read yet (null). */
    private List<Held> rows(DSLContext q, Condition which) {
        return q.select(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.UPDATED).from(PGQUEUER)
                .where(HELD.and(which))
                .orderBy(PGQUEUER.ID.desc())
                .fetch(r -> new Held(r.value1(), name(r.value2()), r.value3().toInstant(), null));
    }

    private String name(String s) {
        if (names.size() > 10_000) {
            names.clear(); // only a guard: entrypoints and exception types are few
        }
        return names.computeIfAbsent(s, k -> k);
    }

    private static Fingerprint fingerprint(DSLContext q) {
        var r = q.select(count(), coalesce(sum(PGQUEUER.ID), BigDecimal.ZERO), max(PGQUEUER.UPDATED))
                .from(PGQUEUER).where(HELD).fetchSingle();
        return new Fingerprint(r.value1(), r.value2().toBigIntegerExact(),
                Optional.ofNullable(r.value3()).map(OffsetDateTime::toInstant));
    }
}
