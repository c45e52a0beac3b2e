package org.pgqj.admin;

import static org.jooq.impl.DSL.arrayAggDistinct;
import static org.jooq.impl.DSL.avg;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.extract;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.sum;
import static org.jooq.impl.DSL.val;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;
import static org.pgqj.codegen.Tables.PGQUEUER_STATISTICS;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.DatePart;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.impl.DSL;
import org.jooq.types.DayToSecond;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.core.JobStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.sql.JobRows;
import org.pgqj.internal.sql.Statuses;
import org.pgqj.schema.PgqueuerNames;

/**
 * Read-only views of an install for operators: stale picked jobs, the workers holding jobs, the backlog per
 * entrypoint, throughput, log rows, a page of jobs and the tables' sizes. These are the queries behind
 * {@code pgq stale | workers | backlog | throughput | log | jobs | tables}, with the same columns as
 * pgqueuer's insight models ({@code StaleJob}, {@code ActiveWorker}, {@code QueueAgeStats},
 * {@code ThroughputStats}, {@code Log}, {@code Job}, {@code TableInfo}).
 *
 * <p>Every method runs one SELECT in the caller's {@link DSLContext} (and transaction) and changes nothing.
 * Ages are measured against the database's {@code now()}, not the caller's clock. Immutable and thread-safe.
 */
public final class QueueInspection {

    private final QueueTables tables;

    private QueueInspection(QueueTables tables) {
        this.tables = Objects.requireNonNull(tables, "tables");
    }

    /** The inspection queries for this install. */
    public static QueueInspection create(QueueTables tables) {
        return new QueueInspection(tables);
    }

    /**
     * Picked jobs whose heartbeat is older than {@code threshold}, oldest heartbeat first.
     *
     * @throws IllegalArgumentException when the threshold is negative or the limit below 1
     */
    public List<StaleJob> staleJobs(DSLContext dsl, Duration threshold, int limit) {
        requireNotNegative(threshold, "threshold");
        requireLimit(limit);
        Field<OffsetDateTime> now = currentOffsetDateTime().as("pgqj_now");
        return q(dsl).select(PGQUEUER.ID, PGQUEUER.PRIORITY, PGQUEUER.QUEUE_MANAGER_ID, PGQUEUER.CREATED,
                        PGQUEUER.UPDATED, PGQUEUER.HEARTBEAT, PGQUEUER.EXECUTE_AFTER, PGQUEUER.STATUS,
                        PGQUEUER.ENTRYPOINT, now)
                .from(PGQUEUER)
                .where(PGQUEUER.STATUS.eq(inline(PgqueuerStatus.picked, PGQUEUER.STATUS))
                        .and(PGQUEUER.HEARTBEAT.lt(currentOffsetDateTime().minus(val(DayToSecond.valueOf(threshold))))))
                .orderBy(PGQUEUER.HEARTBEAT, PGQUEUER.ID)
                .limit(limit)
                .fetch(r -> new StaleJob(r.value1(), r.value2(), Optional.ofNullable(r.value3()),
                        r.value4().toInstant(), r.value5().toInstant(), r.value6().toInstant(),
                        r.value7().toInstant(), Statuses.toJobStatus(r.value8()), r.value9(),
                        seconds(r.value6(), r.value10())));
    }

    /** The workers (queue manager ids) holding picked jobs, by id. */
    public List<ActiveWorker> activeWorkers(DSLContext dsl) {
        return q(dsl).select(PGQUEUER.QUEUE_MANAGER_ID, count(), min(PGQUEUER.HEARTBEAT), max(PGQUEUER.HEARTBEAT),
                        arrayAggDistinct(PGQUEUER.ENTRYPOINT))
                .from(PGQUEUER)
                .where(PGQUEUER.STATUS.eq(inline(PgqueuerStatus.picked, PGQUEUER.STATUS))
                        .and(PGQUEUER.QUEUE_MANAGER_ID.isNotNull()))
                .groupBy(PGQUEUER.QUEUE_MANAGER_ID)
                .orderBy(PGQUEUER.QUEUE_MANAGER_ID)
                .fetch(r -> new ActiveWorker(r.value1(), r.value2(), r.value3().toInstant(), r.value4().toInstant(),
                        Arrays.stream(r.value5()).sorted().toList()));
    }

    /** The queued jobs per entrypoint with their oldest and average age, by entrypoint. */
    public List<BacklogEntry> backlog(DSLContext dsl) {
        // coerce: extract(epoch ...) is numeric with fractions in PostgreSQL, jOOQ types it Integer
        Field<BigDecimal> meanEpoch = avg(extract(PGQUEUER.CREATED, DatePart.EPOCH).coerce(BigDecimal.class));
        Field<BigDecimal> nowEpoch = extract(currentOffsetDateTime(), DatePart.EPOCH).coerce(BigDecimal.class);
        return q(dsl).select(PGQUEUER.ENTRYPOINT, count(), min(PGQUEUER.CREATED), nowEpoch.minus(meanEpoch),
                        currentOffsetDateTime())
                .from(PGQUEUER)
                .where(PGQUEUER.STATUS.eq(inline(PgqueuerStatus.queued, PGQUEUER.STATUS)))
                .groupBy(PGQUEUER.ENTRYPOINT)
                .orderBy(PGQUEUER.ENTRYPOINT)
                .fetch(r -> new BacklogEntry(r.value1(), r.value2(), r.value3().toInstant(),
                        seconds(r.value3(), r.value5()), r.value4().doubleValue()));
    }

    /**
     * Jobs per entrypoint and status counted in the statistics table within {@code last} before now
     * (pgqueuer's {@code throughput_summary}); {@link Duration#ZERO} counts everything kept.
     */
    public List<ThroughputTotal> throughput(DSLContext dsl, Duration last) {
        requireNotNegative(last, "last; use Duration.ZERO for no bound");
        Condition within = last.isZero() ? DSL.trueCondition()
                : PGQUEUER_STATISTICS.CREATED.gt(currentOffsetDateTime().minus(val(DayToSecond.valueOf(last))));
        return q(dsl).select(PGQUEUER_STATISTICS.ENTRYPOINT, PGQUEUER_STATISTICS.STATUS, sum(PGQUEUER_STATISTICS.COUNT))
                .from(PGQUEUER_STATISTICS)
                .where(within)
                .groupBy(PGQUEUER_STATISTICS.ENTRYPOINT, PGQUEUER_STATISTICS.STATUS)
                .orderBy(PGQUEUER_STATISTICS.ENTRYPOINT, PGQUEUER_STATISTICS.STATUS)
                .fetch(r -> new ThroughputTotal(r.value1(), Statuses.toJobStatus(r.value2()), r.value3().longValue()));
    }

    /**
     * The newest log rows, newest first, optionally only those of some statuses (empty: all).
     *
     * @throws IllegalArgumentException when the limit is below 1
     */
    public List<LogEntry> recentLog(DSLContext dsl, int limit, Collection<JobStatus> statuses) {
        requireLimit(limit);
        Objects.requireNonNull(statuses, "statuses; pass an empty collection for all");
        Condition which = statuses.isEmpty() ? DSL.trueCondition()
                : PGQUEUER_LOG.STATUS.in(statuses.stream().map(Statuses::toDb).toList());
        return q(dsl).selectFrom(PGQUEUER_LOG).where(which)
                .orderBy(PGQUEUER_LOG.CREATED.desc(), PGQUEUER_LOG.ID.desc())
                .limit(limit)
                .fetch(QueueInspection::logEntry);
    }

    /** The log rows of one job, oldest first (its history), at most {@code limit}. */
    public List<LogEntry> jobLog(DSLContext dsl, long jobId, int limit) {
        requireLimit(limit);
        return q(dsl).selectFrom(PGQUEUER_LOG).where(PGQUEUER_LOG.JOB_ID.eq(jobId))
                .orderBy(PGQUEUER_LOG.CREATED, PGQUEUER_LOG.ID)
                .limit(limit)
                .fetch(QueueInspection::logEntry);
    }

    /**
     * A page of the queue table, highest priority first then by id (pgqueuer's {@code browse_queue}),
     * optionally only some statuses and entrypoints (empty: all).
     */
    public List<Job> jobs(DSLContext dsl, int limit, int offset, Collection<JobStatus> statuses,
                          Collection<String> entrypoints) {
        requireLimit(limit);
        if (offset < 0) {
            throw new IllegalArgumentException("offset must not be negative (got " + offset + ")");
        }
        Objects.requireNonNull(statuses, "statuses; pass an empty collection for all");
        Objects.requireNonNull(entrypoints, "entrypoints; pass an empty collection for all");
        Condition which = DSL.trueCondition();
        if (!statuses.isEmpty()) {
            which = which.and(PGQUEUER.STATUS.in(statuses.stream().map(Statuses::toDb).toList()));
        }
        if (!entrypoints.isEmpty()) {
            which = which.and(PGQUEUER.ENTRYPOINT.in(entrypoints));
        }
        return q(dsl).selectFrom(PGQUEUER).where(which)
                .orderBy(PGQUEUER.PRIORITY.desc(), PGQUEUER.ID)
                .limit(limit).offset(offset)
                .fetch(JobRows::read);
    }

    /** The install's four tables with persistence, row estimate and size, by name. */
    public List<TableInfo> tables(DSLContext dsl) {
        PgqueuerNames names = tables.names();
        // pg_catalog has no generated classes: plain SQL, every value bound
        var rows = Objects.requireNonNull(dsl, "dsl").resultQuery(
                "SELECT c.relname, CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED' WHEN 'p' THEN 'LOGGED' "
                        + "ELSE c.relpersistence::text END, c.reltuples::bigint, "
                        + "pg_size_pretty(pg_total_relation_size(c.oid)), pg_total_relation_size(c.oid) "
                        + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname = {0} AND c.relkind = 'r' AND c.relname IN ({1}, {2}, {3}, {4}) "
                        + "ORDER BY c.relname",
                val(names.schema()), val(names.queueTable()), val(names.logTable()), val(names.statisticsTable()),
                val(names.schedulesTable())).fetch();
        List<TableInfo> out = new ArrayList<>();
        for (var r : rows) {
            out.add(new TableInfo(r.get(0, String.class), r.get(1, String.class), r.get(2, Long.class),
                    r.get(3, String.class), r.get(4, Long.class)));
        }
        return out;
    }

    private static LogEntry logEntry(org.pgqj.codegen.tables.records.PgqueuerLogRecord r) {
        JSONB traceback = r.getTraceback();
        return new LogEntry(r.getId(), r.getCreated().toInstant(), r.getJobId(), Statuses.toJobStatus(r.getStatus()),
                r.getPriority(), r.getEntrypoint(), Optional.ofNullable(traceback).map(JSONB::data),
                Boolean.TRUE.equals(r.getAggregated()));
    }

    private static double seconds(OffsetDateTime from, OffsetDateTime to) {
        return Duration.between(from, to).toNanos() / 1e9;
    }

    private static void requireNotNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what.split(";")[0] + " must not be negative (got " + d + ")");
        }
    }

    private static void requireLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1 (got " + limit + ")");
        }
    }

    private DSLContext q(DSLContext dsl) {
        return tables.dsl(Objects.requireNonNull(dsl, "dsl"));
    }

    @Override
    public String toString() {
        return "QueueInspection[" + tables + "]";
    }
}
