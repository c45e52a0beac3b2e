package org.pgqj.worker;

import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.cast;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.row;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.val;
import static org.jooq.impl.DSL.values;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.jooq.CommonTableExpression;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record3;
import org.jooq.Row2;
import org.jooq.impl.SQLDataType;
import org.pgqj.codegen.enums.PgqueuerStatus;

/**
 * Writes a batch of finished jobs in ONE statement (pgqueuer's {@code log_jobs}): {@code successful},
 * {@code exception} and {@code canceled} rows are deleted, {@code failed} rows are held
 * ({@code status 'failed', queue_manager_id NULL}), and each gets its log row with the traceback.
 * A job whose row is already gone (canceled by an admin) gets no log row.
 */
final class CompleteQuery {

    /** One finished job. */
    record Outcome(long id, PgqueuerStatus status, JSONB traceback) {
    }

    private CompleteQuery() {
    }

    @SuppressWarnings("unchecked")
    static void write(DSLContext dsl, List<Outcome> outcomes) {
        if (outcomes.isEmpty()) {
            return;
        }
        Map<PgqueuerStatus, List<Outcome>> byStatus = new EnumMap<>(PgqueuerStatus.class);
        List<Long> deleteIds = new ArrayList<>();
        List<Long> holdIds = new ArrayList<>();
        for (Outcome o : outcomes) {
            byStatus.computeIfAbsent(o.status(), s -> new ArrayList<>()).add(o);
            (o.status() == PgqueuerStatus.failed ? holdIds : deleteIds).add(o.id());
        }
        List<CommonTableExpression<?>> ctes = new ArrayList<>();
        CommonTableExpression<Record3<Long, String, Integer>> deleted = name("deleted").fields("id", "entrypoint", "priority")
                .as(dsl.deleteFrom(PGQUEUER).where(PGQUEUER.ID.eq(any(deleteIds.toArray(Long[]::new))))
                        .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
        CommonTableExpression<Record3<Long, String, Integer>> held = name("held").fields("id", "entrypoint", "priority")
                .as(dsl.update(PGQUEUER)
                        .set(PGQUEUER.STATUS, inline(PgqueuerStatus.failed, PGQUEUER.STATUS))
                        .set(PGQUEUER.UPDATED, currentOffsetDateTime())
                        .setNull(PGQUEUER.QUEUE_MANAGER_ID)
                        .where(PGQUEUER.ID.eq(any(holdIds.toArray(Long[]::new))))
                        .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
        if (!deleteIds.isEmpty()) {
            ctes.add(deleted);
        }
        if (!holdIds.isEmpty()) {
            ctes.add(held);
        }
        List<org.jooq.Select<? extends org.jooq.Record5<Long, PgqueuerStatus, String, Integer, JSONB>>> selects = new ArrayList<>();
        int n = 0;
        for (Map.Entry<PgqueuerStatus, List<Outcome>> e : byStatus.entrySet()) {
            CommonTableExpression<Record3<Long, String, Integer>> source = e.getKey() == PgqueuerStatus.failed ? held : deleted;
            Field<Long> id = Cte.col(source, "id", Long.class);
            Field<String> entrypoint = Cte.col(source, "entrypoint", String.class);
            Field<Integer> priority = Cte.col(source, "priority", Integer.class);
            // a literal status in the SELECT list takes the log column's enum type, whatever its prefix
            Field<PgqueuerStatus> status = inline(e.getKey(), PGQUEUER_LOG.STATUS);
            List<Outcome> group = e.getValue();
            boolean anyTraceback = group.stream().anyMatch(o -> o.traceback() != null);
            if (anyTraceback) {
                Row2<Long, JSONB>[] rows = new Row2[group.size()];
                for (int i = 0; i < rows.length; i++) {
                    rows[i] = row(cast(val(group.get(i).id()), SQLDataType.BIGINT),
                            cast(val(group.get(i).traceback(), SQLDataType.JSONB), SQLDataType.JSONB));
                }
                var tb = values(rows).as("tb" + n, "tb_id", "tb_traceback");
                selects.add(select(id, status, entrypoint, priority, tb.field("tb_traceback", JSONB.class))
                        .from(source).join(tb).on(tb.field("tb_id", Long.class).eq(id)));
            } else {
                Long[] ids = group.stream().map(Outcome::id).toArray(Long[]::new);
                selects.add(select(id, status, entrypoint, priority, inline((JSONB) null, SQLDataType.JSONB))
                        .from(source).where(id.eq(any(ids))));
            }
            n++;
        }
        // all but the last log insert ride along as data-modifying CTEs: one statement, one round trip
        for (int i = 0; i < selects.size() - 1; i++) {
            ctes.add(name("log_" + i).as(dsl.insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS,
                            PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.TRACEBACK)
                    .select(selects.get(i)).returning(PGQUEUER_LOG.ID)));
        }
        dsl.with(ctes.toArray(CommonTableExpression[]::new))
                .insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT,
                        PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.TRACEBACK)
                .select(selects.get(selects.size() - 1))
                .execute();
    }
}
