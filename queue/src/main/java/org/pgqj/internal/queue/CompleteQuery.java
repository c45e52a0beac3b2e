package org.pgqj.internal.queue;

import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.arrayGet;
import static org.jooq.impl.DSL.cardinality;
import static org.jooq.impl.DSL.cast;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.generateSeries;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertValuesStep5;
import org.jooq.JSONB;
import org.jooq.Param;
import org.jooq.Record3;
import org.jooq.Record5;
import org.jooq.Select;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.codegen.tables.records.PgqueuerLogRecord;
import org.pgqj.internal.sql.Cte;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.internal.sql.RenderedStatement;
import org.pgqj.internal.sql.Statuses;

/**
 * Writes a batch of finished jobs in ONE statement (pgqueuer's {@code log_jobs}): {@code successful},
 * {@code exception} and {@code canceled} rows are deleted, {@code failed} rows are held
 * ({@code status 'failed', queue_manager_id NULL}), and each gets its log row with the traceback.
 * A job whose row is already gone (canceled by an admin) gets no log row.
 *
 * <p>One statement shape for every batch: each outcome kind travels as an array of ids (exception
 * and failed with a parallel array of traceback JSON texts), so the statement is rendered once and
 * stays prepared ({@link RenderedStatement}); an empty array costs an index probe that finds nothing.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class CompleteQuery {

    /** One finished job: its id, final status, and traceback (null when none). */
    public record Outcome(long id, PgqueuerStatus status, JSONB traceback) {
    }

    /** A complete statement for any install (the session's context maps the names). */
    public CompleteQuery() {
    }

    /** Rendered on first use with the session's (render-mapped) context; the same for every connection. */
    private volatile RenderedStatement shape;

    /** Writes {@code outcomes} on the session's connection. */
    public void write(DedicatedConnection.Session session, List<Outcome> outcomes) throws SQLException {
        if (outcomes.isEmpty()) {
            return;
        }
        RenderedStatement s = statement(session.dsl());
        PreparedStatement ps = session.prepare(s.sql());
        s.bind(ps, session.connection(), values(outcomes));
        ps.executeUpdate();
    }

    /** The statement, rendered on first use with {@code dsl} (render-mapped to the install). */
    RenderedStatement statement(DSLContext dsl) {
        RenderedStatement s = shape;
        if (s == null) {
            s = build(dsl);
            shape = s;
        }
        return s;
    }

    /** The text of the statement as {@code dsl} renders it (the architecture doc shows it). */
    public static String sql(DSLContext dsl) {
        return build(dsl).sql();
    }

    /** The statement's parameter values for {@code outcomes}, by name. */
    static Map<String, Object> values(List<Outcome> outcomes) {
        List<Long> deleted = new ArrayList<>();
        List<Long> canceled = new ArrayList<>();
        List<Long> exceptionIds = new ArrayList<>();
        List<String> exceptionTracebacks = new ArrayList<>();
        List<Long> failedIds = new ArrayList<>();
        List<String> failedTracebacks = new ArrayList<>();
        for (Outcome o : outcomes) {
            switch (o.status()) {
                case successful -> { } // every deleted row that is neither canceled nor exception
                case canceled -> canceled.add(o.id());
                case exception -> {
                    exceptionIds.add(o.id());
                    exceptionTracebacks.add(o.traceback() == null ? null : o.traceback().data());
                }
                case failed -> {
                    failedIds.add(o.id());
                    failedTracebacks.add(o.traceback() == null ? null : o.traceback().data());
                }
                default -> throw new IllegalArgumentException("not a completion status: " + o.status()
                        + " (job " + o.id() + ")");
            }
            if (o.status() != PgqueuerStatus.failed) {
                deleted.add(o.id());
            }
        }
        return Map.of(
                "deleted", deleted.toArray(Long[]::new),
                "canceled", canceled.toArray(Long[]::new),
                "exception_ids", exceptionIds.toArray(Long[]::new),
                "exception_tracebacks", exceptionTracebacks.toArray(String[]::new),
                "failed_ids", failedIds.toArray(Long[]::new),
                "failed_tracebacks", failedTracebacks.toArray(String[]::new));
    }

    private static RenderedStatement build(DSLContext dsl) {
        RenderedStatement.Params params = new RenderedStatement.Params();
        Param<Long[]> deletedIds = params.bigintArray("deleted");
        Param<Long[]> canceledIds = params.bigintArray("canceled");
        Param<Long[]> exceptionIds = params.bigintArray("exception_ids");
        Param<String[]> exceptionTracebacks = params.textArray("exception_tracebacks");
        Param<Long[]> failedIds = params.bigintArray("failed_ids");
        Param<String[]> failedTracebacks = params.textArray("failed_tracebacks");

        CommonTableExpression<Record3<Long, String, Integer>> deleted = name("deleted").fields("id", "entrypoint", "priority")
                .as(dsl.deleteFrom(PGQUEUER).where(PGQUEUER.ID.eq(any(deletedIds)))
                        .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
        CommonTableExpression<Record3<Long, String, Integer>> held = name("held").fields("id", "entrypoint", "priority")
                .as(dsl.update(PGQUEUER)
                        .set(PGQUEUER.STATUS, Statuses.literal(PgqueuerStatus.failed))
                        .set(PGQUEUER.UPDATED, currentOffsetDateTime())
                        .set(PGQUEUER.QUEUE_MANAGER_ID, inline((UUID) null, PGQUEUER.QUEUE_MANAGER_ID.getDataType()))
                        .where(PGQUEUER.ID.eq(any(failedIds)))
                        .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
        List<CommonTableExpression<?>> ctes = new ArrayList<>(List.of(deleted, held));
        Field<Long> deletedId = Cte.col(deleted, "id", Long.class);
        // successful = deleted and neither canceled nor exception: "id = ANY(successful)" would search the
        // whole array for every deleted row (quadratic in the batch); the other two arrays are empty or
        // short in a healthy batch
        List<Select<? extends Record5<Long, PgqueuerStatus, String, Integer, JSONB>>> logRows = List.of(
                withoutTraceback(deleted, PgqueuerStatus.successful,
                        DSL.not(deletedId.eq(any(canceledIds))).and(DSL.not(deletedId.eq(any(exceptionIds))))),
                withoutTraceback(deleted, PgqueuerStatus.canceled, deletedId.eq(any(canceledIds))),
                withTraceback(deleted, PgqueuerStatus.exception, exceptionIds, exceptionTracebacks, "x"),
                withTraceback(held, PgqueuerStatus.failed, failedIds, failedTracebacks, "f"));
        // one INSERT per status, all but the last as data-modifying CTEs: a status literal takes the log
        // column's enum type only when it is the INSERT's own select list (a UNION would make it text)
        for (int i = 0; i < logRows.size() - 1; i++) {
            ctes.add(name("log_" + i).as(insertLog(dsl).select(logRows.get(i)).returning(PGQUEUER_LOG.ID)));
        }
        return RenderedStatement.render(dsl.with(ctes.toArray(CommonTableExpression[]::new))
                .insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT,
                        PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.TRACEBACK)
                .select(logRows.get(logRows.size() - 1)), params);
    }

    private static InsertValuesStep5<PgqueuerLogRecord, Long, PgqueuerStatus, String, Integer, JSONB> insertLog(DSLContext dsl) {
        return dsl.insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT,
                PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.TRACEBACK);
    }

    /** Log rows for {@code source}'s rows that meet {@code which}, with no traceback. */
    private static Select<Record5<Long, PgqueuerStatus, String, Integer, JSONB>> withoutTraceback(CommonTableExpression<Record3<Long, String, Integer>> source,
                                              PgqueuerStatus status, Condition which) {
        return select(Cte.col(source, "id", Long.class), Statuses.literal(status), Cte.col(source, "entrypoint", String.class),
                Cte.col(source, "priority", Integer.class), inline((JSONB) null, SQLDataType.JSONB))
                .from(source).where(which);
    }

    /** Log rows for the {@code ids} among {@code source}'s rows, each with its element of {@code tracebacks}. */
    private static Select<Record5<Long, PgqueuerStatus, String, Integer, JSONB>> withTraceback(CommonTableExpression<Record3<Long, String, Integer>> source,
                                           PgqueuerStatus status, Field<Long[]> ids, Field<String[]> tracebacks,
                                           String alias) {
        Field<Long> id = Cte.col(source, "id", Long.class);
        // element i of both arrays, for i in 1..cardinality(ids)
        var series = generateSeries(inline(1), cardinality(ids)).as(alias + "_i", alias + "_n");
        Field<Integer> n = series.field(alias + "_n", Integer.class);
        var pairs = select(arrayGet(ids, n).as(alias + "_id"),
                cast(arrayGet(tracebacks, n), SQLDataType.JSONB).as(alias + "_traceback"))
                .from(series).asTable(alias + "_pairs");
        Field<Long> pairId = field(name(alias + "_id"), Long.class);
        Field<JSONB> pairTraceback = field(name(alias + "_traceback"), JSONB.class);
        return select(id, Statuses.literal(status), Cte.col(source, "entrypoint", String.class),
                Cte.col(source, "priority", Integer.class), pairTraceback)
                .from(source).join(pairs).on(pairId.eq(id));
    }
}
