package org.pgqj.internal.queue;

import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.lateral;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.unnest;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.min;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.internal.sql.RenderedStatement;
import org.pgqj.internal.sql.Statuses;

/**
 * When the next queued job of some entrypoints becomes eligible, read with the database's clock:
 * per entrypoint the first {@code queued} row by {@code execute_after} (a probe of the {@code (entrypoint,
 * execute_after)} index), the earliest of those, and {@code now()}.
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
    /** Rendered on first use (render-mapped to the install); the same for every connection. */
    private volatile RenderedStatement shape;

    /** The query for these entrypoints. */
    public NextEligibleQuery(Collection<String> entrypoints) {
        this.entrypoints = entrypoints.toArray(String[]::new);
    }

    /**
     * Runs the query on the session's cached prepared statement: it follows every partial claim, and rendering
     * it through jOOQ each time cost the claim thread more CPU than the database spent on it.
     */
    public NextEligible fetch(DedicatedConnection.Session session) throws SQLException {
        RenderedStatement s = shape;
        if (s == null) {
            s = build(session.dsl());
            shape = s;
        }
        PreparedStatement ps = session.prepare(s.sql());
        s.bind(ps, session.connection(), Map.of("entrypoints", entrypoints));
        try (ResultSet rs = ps.executeQuery()) {
            rs.next(); // an aggregate without GROUP BY always returns one row
            return new NextEligible(Optional.ofNullable(rs.getObject(1, OffsetDateTime.class)),
                    rs.getObject(2, OffsetDateTime.class));
        }
    }

    private static RenderedStatement build(DSLContext dsl) {
        RenderedStatement.Params params = new RenderedStatement.Params();
        // per entrypoint the first queued row in (entrypoint, execute_after) order, an index probe each:
        // min(execute_after) over "entrypoint = ANY(..)" read every queued row instead, after every partial claim
        Table<?> names = unnest(params.textArray("entrypoints")).as("e", "e_entrypoint");
        Field<String> name = names.field("e_entrypoint", String.class);
        Table<?> first = lateral(select(PGQUEUER.EXECUTE_AFTER).from(PGQUEUER)
                .where(PGQUEUER.ENTRYPOINT.eq(name), PGQUEUER.STATUS.eq(Statuses.literal(PgqueuerStatus.queued)))
                .orderBy(PGQUEUER.EXECUTE_AFTER)
                .limit(inline(1))).as("f");
        return RenderedStatement.render(dsl
                .select(min(first.field(PGQUEUER.EXECUTE_AFTER)), currentOffsetDateTime())
                .from(names.crossJoin(first)), params);
    }
}
