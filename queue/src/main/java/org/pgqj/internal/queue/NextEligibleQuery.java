package org.pgqj.internal.queue;

import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.min;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record2;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.internal.sql.Statuses;

/**
 * When the next queued job of some entrypoints becomes eligible, read with the database's clock:
 * {@code SELECT min(execute_after), now() FROM pgqueuer WHERE entrypoint = ANY(..) AND status = 'queued'}.
 * The worker asks after a partial or empty claim, to know whether to claim again now or how long to wait.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class NextEligibleQuery {

    /**
     * The earliest {@code execute_after} of a queued job (empty when nothing is queued) and the
     * database's {@code now()}.
     */
    public record NextEligible(Optional<OffsetDateTime> earliest, OffsetDateTime now) {

        /** Whether a queued job is runnable already. */
        public boolean isDue() {
            return earliest.isPresent() && !earliest.get().isAfter(now);
        }
    }

    private final String[] entrypoints;

    /** The query for these entrypoints. */
    public NextEligibleQuery(Collection<String> entrypoints) {
        this.entrypoints = entrypoints.toArray(String[]::new);
    }

    /** Runs the query on {@code dsl} (render-mapped to the install). */
    public NextEligible fetch(DSLContext dsl) {
        Record2<OffsetDateTime, OffsetDateTime> next = dsl
                .select(min(PGQUEUER.EXECUTE_AFTER), currentOffsetDateTime())
                .from(PGQUEUER)
                .where(PGQUEUER.ENTRYPOINT.eq(any(entrypoints)),
                        PGQUEUER.STATUS.eq(Statuses.literal(PgqueuerStatus.queued)))
                .fetchOne();
        // an aggregate without GROUP BY always returns one row
        return new NextEligible(Optional.ofNullable(next.value1()), next.value2());
    }
}
