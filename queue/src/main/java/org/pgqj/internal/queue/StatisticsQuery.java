package org.pgqj.internal.queue;

import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;
import static org.pgqj.codegen.Tables.PGQUEUER_STATISTICS;

import java.time.OffsetDateTime;
import org.jooq.CommonTableExpression;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.pgqj.schema.PgqueuerNames;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * pgqueuer's statistics aggregation, in ONE statement: the log rows not yet aggregated are counted per
 * (priority, second, status, entrypoint) into {@code pgqueuer_statistics} and marked aggregated, under the
 * transaction-level advisory lock pgqueuer takes ({@code pg_try_advisory_xact_lock(hashtext('<statistics
 * table>'))}), so of all Java and Python workers one aggregates at a time and the others skip. Run by the
 * worker's housekeeping and by {@code admin.StatisticsAggregation}.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class StatisticsQuery {

    private static final Logger LOG = LoggerFactory.getLogger(StatisticsQuery.class);

    private StatisticsQuery() {
    }

    /**
     * Aggregates on {@code dsl} (render-mapped to the install {@code names}), in its transaction; returns the
     * statistics rows inserted or updated (0 when another session holds the lock or nothing was new).
     */
    public static int aggregate(DSLContext dsl, PgqueuerNames names) {
        Field<Boolean> proceed = field(name("proceed"), Boolean.class);
        // pgqueuer hashes the table name, schema-qualified only when a schema is configured
        CommonTableExpression<?> guard = name("pgqj_guard").as(select(
                function("pg_try_advisory_xact_lock", Boolean.class,
                        function("hashtext", Integer.class, inline(names.statisticsLockName()))).as("proceed")));
        Field<OffsetDateTime> second = function("date_trunc", OffsetDateTime.class, inline("sec"),
                PGQUEUER_LOG.CREATED);
        CommonTableExpression<?> aggregation = name("pgqj_log_aggregation").as(
                select(PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.STATUS,
                        count().as("count"), second.as("created"))
                        .from(PGQUEUER_LOG, guard)
                        .where(PGQUEUER_LOG.AGGREGATED.isFalse().and(proceed))
                        .groupBy(PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.STATUS, second));
        CommonTableExpression<?> marked = name("pgqj_updated_logs").as(
                dsl.update(PGQUEUER_LOG).set(PGQUEUER_LOG.AGGREGATED, true).from(guard)
                        .where(PGQUEUER_LOG.AGGREGATED.isFalse().and(proceed))
                        .returningResult(PGQUEUER_LOG.ID));
        // the conflict target restates the unique index's expression on created, character for character
        Field<?> createdSecondUtc = function("date_trunc", OffsetDateTime.class, inline("sec"),
                function("timezone", OffsetDateTime.class, inline("UTC"), PGQUEUER_STATISTICS.CREATED));
        int rows = dsl.with(guard).with(aggregation).with(marked)
                .insertInto(PGQUEUER_STATISTICS, PGQUEUER_STATISTICS.COUNT, PGQUEUER_STATISTICS.CREATED,
                        PGQUEUER_STATISTICS.ENTRYPOINT, PGQUEUER_STATISTICS.PRIORITY, PGQUEUER_STATISTICS.STATUS)
                .select(select(field(name("count"), Long.class), field(name("created"), OffsetDateTime.class),
                        field(name("entrypoint"), String.class), field(name("priority"), Integer.class),
                        field(name("status"), PGQUEUER_STATISTICS.STATUS.getDataType()))
                        .from(aggregation))
                .onConflict(PGQUEUER_STATISTICS.PRIORITY, createdSecondUtc, PGQUEUER_STATISTICS.STATUS,
                        PGQUEUER_STATISTICS.ENTRYPOINT)
                .doUpdate()
                .set(PGQUEUER_STATISTICS.COUNT, PGQUEUER_STATISTICS.COUNT.plus(excluded(PGQUEUER_STATISTICS.COUNT)))
                .execute();
        if (rows > 0) {
            LOG.debug("Aggregated log rows into {} statistics rows", rows);
        }
        return rows;
    }
}
