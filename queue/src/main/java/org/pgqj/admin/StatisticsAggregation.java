package org.pgqj.admin;

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
import java.util.Objects;
import org.jooq.CommonTableExpression;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.pgqj.core.QueueTables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Folds new log rows into {@code pgqueuer_statistics} counts per (priority, second, status,
 * entrypoint), as pgqueuer workers do every ~30 s. Guarded by the same transaction-level advisory lock
 * as pgqueuer ({@code pg_try_advisory_xact_lock(hashtext('<statistics table>'))}), so of all Java and
 * Python workers only one aggregates at a time and the others skip.
 *
 * <p>Immutable and thread-safe. Runs in the caller's transaction (the lock is released at its end).
 */
public final class StatisticsAggregation {

    private static final Logger LOG = LoggerFactory.getLogger(StatisticsAggregation.class);

    private final QueueTables tables;
    private final String lockName;

    private StatisticsAggregation(QueueTables tables) {
        this.tables = Objects.requireNonNull(tables, "tables");
        // pgqueuer hashes the table name, schema-qualified only when a schema is configured
        this.lockName = tables.names().statisticsLockName();
    }

    /** The aggregation for this install. */
    public static StatisticsAggregation of(QueueTables tables) {
        return new StatisticsAggregation(tables);
    }

    /**
     * Aggregates the log rows not yet aggregated, unless another session holds the lock.
     *
     * @return the number of statistics rows inserted or updated (0 when the lock was taken or nothing was new)
     */
    public int aggregate(DSLContext dsl) {
        DSLContext q = tables.dsl(Objects.requireNonNull(dsl, "dsl"));
        Field<Boolean> proceed = field(name("proceed"), Boolean.class);
        CommonTableExpression<?> guard = name("pgqj_guard").as(select(
                function("pg_try_advisory_xact_lock", Boolean.class,
                        function("hashtext", Integer.class, inline(lockName))).as("proceed")));
        Field<OffsetDateTime> second = function("date_trunc", OffsetDateTime.class, inline("sec"),
                PGQUEUER_LOG.CREATED);
        CommonTableExpression<?> aggregation = name("pgqj_log_aggregation").as(
                select(PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.STATUS,
                        count().as("count"), second.as("created"))
                        .from(PGQUEUER_LOG, guard)
                        .where(PGQUEUER_LOG.AGGREGATED.isFalse().and(proceed))
                        .groupBy(PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.STATUS, second));
        CommonTableExpression<?> marked = name("pgqj_updated_logs").as(
                q.update(PGQUEUER_LOG).set(PGQUEUER_LOG.AGGREGATED, true).from(guard)
                        .where(PGQUEUER_LOG.AGGREGATED.isFalse().and(proceed))
                        .returningResult(PGQUEUER_LOG.ID));
        // the conflict target restates the unique index's expression on created, character for character
        Field<?> createdSecondUtc = function("date_trunc", OffsetDateTime.class, inline("sec"),
                function("timezone", OffsetDateTime.class, inline("UTC"), PGQUEUER_STATISTICS.CREATED));
        int rows = q.with(guard).with(aggregation).with(marked)
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
