package org.pgqj.worker;

import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;
import static org.pgqj.codegen.Tables.PGQUEUER_STATISTICS;

import java.time.OffsetDateTime;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.impl.SQLDataType;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.schema.PgqueuerNames;

/**
 * Folds log rows not yet aggregated into per-second counts in the statistics table (CONTRACT §6):
 * one statement, guarded by {@code pg_try_advisory_xact_lock(hashtext('<statistics table>'))} so only
 * one worker at a time does it, with an upsert on the {@code unique_count} index expression.
 */
final class StatisticsAggregator {

    /*
     * EXCLUDED.count as a template: jOOQ's excluded(field) is qualified like a table, and the install's
     * render mapping then puts it in the install's schema ("jobs"."excluded"), which PostgreSQL rejects.
     */
    private static final Field<Long> EXCLUDED_COUNT =
            org.jooq.impl.DSL.field("{0}.{1}", Long.class, org.jooq.impl.DSL.keyword("excluded"), name("count"));

    private final String lockName;

    StatisticsAggregator(PgqueuerNames names) {
        // pgqueuer hashes the schema-qualified name when a schema is configured, the bare name otherwise
        this.lockName = PgqueuerNames.DEFAULT_SCHEMA.equals(names.schema())
                ? names.statisticsTable() : names.schema() + "." + names.statisticsTable();
    }

    /** Runs the fold; returns the number of statistics rows written (0 when another worker holds the lock). */
    int aggregate(DSLContext dsl) {
        var guard = name("guard").fields("proceed").as(select(function("pg_try_advisory_xact_lock", Boolean.class,
                function("hashtext", Integer.class, inline(lockName)))));
        Field<Boolean> proceed = Cte.col(guard, "proceed", Boolean.class);
        Field<OffsetDateTime> second = function("date_trunc", SQLDataType.TIMESTAMPWITHTIMEZONE, inline("sec"), PGQUEUER_LOG.CREATED);
        var aggregation = name("log_aggregation").fields("entrypoint", "priority", "status", "count", "created")
                .as(select(PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.STATUS, count().cast(SQLDataType.BIGINT), second)
                        .from(PGQUEUER_LOG, guard)
                        .where(PGQUEUER_LOG.AGGREGATED.isFalse().and(org.jooq.impl.DSL.condition(proceed)))
                        .groupBy(PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.STATUS, second));
        var marked = name("updated_logs").as(org.jooq.impl.DSL.update(PGQUEUER_LOG)
                .set(PGQUEUER_LOG.AGGREGATED, inline(true))
                .from(guard)
                .where(PGQUEUER_LOG.AGGREGATED.isFalse().and(org.jooq.impl.DSL.condition(proceed)))
                .returning(PGQUEUER_LOG.ID));
        // the conflict target must repeat the unique index expression exactly ('sec', timezone('UTC', created))
        Field<?> indexSecond = function("date_trunc", SQLDataType.TIMESTAMP, inline("sec"),
                function("timezone", SQLDataType.TIMESTAMP, inline("UTC"), field(name(PGQUEUER_STATISTICS.CREATED.getName()))));
        return dsl.with(guard, aggregation, marked)
                .insertInto(PGQUEUER_STATISTICS, PGQUEUER_STATISTICS.COUNT, PGQUEUER_STATISTICS.CREATED,
                        PGQUEUER_STATISTICS.ENTRYPOINT, PGQUEUER_STATISTICS.PRIORITY, PGQUEUER_STATISTICS.STATUS)
                .select(select(Cte.col(aggregation, "count", Long.class), Cte.col(aggregation, "created", OffsetDateTime.class),
                        Cte.col(aggregation, "entrypoint", String.class), Cte.col(aggregation, "priority", Integer.class),
                        Cte.col(aggregation, "status", PgqueuerStatus.class)).from(aggregation))
                .onConflict(PGQUEUER_STATISTICS.PRIORITY, indexSecond, PGQUEUER_STATISTICS.STATUS, PGQUEUER_STATISTICS.ENTRYPOINT)
                .doUpdate()
                .set(PGQUEUER_STATISTICS.COUNT, PGQUEUER_STATISTICS.COUNT.plus(EXCLUDED_COUNT))
                .execute();
    }
}
