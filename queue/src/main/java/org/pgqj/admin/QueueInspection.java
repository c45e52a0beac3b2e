package org.pgqj.admin;

import static org.jooq.impl.DSL.any;
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
import static org.pgqj.codegen.Tables.PGQUEUER_SCHEDULES;
import static org.pgqj.codegen.Tables.PGQUEUER_STATISTICS;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.DatePart;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.QueryPart;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
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
 * <p>Every method runs one SELECT (a few for {@link #liveWorkers} and {@link #tableHealth}) in the caller's
 * {@link DSLContext} (and transaction) and changes nothing.
 * Ages are measured against the database's {@code now()}, not the caller's clock. Immutable and thread-safe.
 */
public final class QueueInspection {

    /** {@code pg_stat_activity.query} of a session the reading role may not see. */
    private static final String HIDDEN_QUERY = "<insufficient privilege>";
    /** A Java worker's session: {@code pgqj-<role>-<worker id>} (role: listener; claim and write connections to come). */
    private static final Pattern JAVA_WORKER_SESSION = Pattern.compile(
            "pgqj-[a-z]+-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");
    /** Fragments that only pgqueuer's worker statements on the queue table contain (1.4 - 1.6). */
    private static final List<String> PGQUEUER_WORKER_MARKERS = List.of("AS queued_work", "SKIP LOCKED",
            "SET heartbeat", "AS eta", "WITH job_status AS", "WITH retry AS");

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
     * The failure that held each of these jobs: the traceback of its newest {@code failed} log row (the
     * definition {@link HeldJobFilter} filters on). Jobs without such a row are absent.
     *
     * @return job id to failure, in ascending id order
     */
    public Map<Long, JobFailure> lastFailures(DSLContext dsl, Collection<Long> jobIds) {
        Objects.requireNonNull(jobIds, "jobIds; pass an empty collection for none");
        Map<Long, JobFailure> out = new LinkedHashMap<>();
        if (jobIds.isEmpty()) {
            return out;
        }
        Long[] ids = jobIds.toArray(Long[]::new);
        q(dsl).select(PGQUEUER_LOG.JOB_ID, HeldFailures.EXCEPTION_TYPE, HeldFailures.EXCEPTION_MESSAGE,
                        PGQUEUER_LOG.CREATED)
                .distinctOn(PGQUEUER_LOG.JOB_ID)
                .from(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.JOB_ID.eq(any(val(ids, SQLDataType.BIGINT.array()))).and(HeldFailures.HOLD_ROW))
                .orderBy(PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.CREATED.desc(), PGQUEUER_LOG.ID.desc())
                .forEach(r -> out.put(r.value1(), new JobFailure(r.value1(), r.value2(), r.value3(),
                        r.value4().toInstant())));
        return out;
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

    /**
     * Which workers are alive now, of which language, serving what. pgqueuer keeps no registry of workers, so this
     * reads the database's own list of sessions ({@code pg_stat_activity}) on the current database:
     * <ul>
     *   <li>a Java worker names its LISTEN connection {@code pgqj-listener-<worker id>}; every session named
     *       {@code pgqj-<role>-<uuid>} counts for the worker with that id, so a worker is live while any of
     *       them is connected, and its last sign of life is its newest statement (the listener's health check
     *       runs every {@code healthCheckInterval}, 10 s by default) or job heartbeat;</li>
     *   <li>a Python pgqueuer worker (1.x) sets no application name and runs everything on one connection, so
     *       it is recognised by its last statement: the listener's health-check probe ({@code SELECT
     *       pg_notify($1, $2)}, every 10 s), its {@code LISTEN}, or a worker statement on this install's queue
     *       table (the dequeue, the queued-work check, heartbeats, completions, retries). Its entrypoints and
     *       queue manager id live only in the process: its running jobs appear among
     *       {@link LiveWorkers#unattributedJobs()}.</li>
     * </ul>
     * Other sessions named {@code pgqj-...} (the dashboard's own listener) are not workers. A worker in poll-only
     * mode has no LISTEN connection and is not seen until its claim connections carry a name too. Seeing another
     * role's sessions needs that role or {@code pg_read_all_stats}; without it their names are still visible
     * (Java workers are found) but their statements are not ({@link LiveWorkers#hiddenSessions()}).
     */
    public LiveWorkers liveWorkers(DSLContext dsl) {
        PgqueuerNames names = tables.names();
        // pg_catalog has no generated classes: plain SQL, every value bound. backend_type is NULL for a hidden session.
        var rows = Objects.requireNonNull(dsl, "dsl").resultQuery(
                "SELECT pid, coalesce(application_name, ''), host(client_addr), backend_start, "
                        + "CASE WHEN state = 'active' THEN now() ELSE state_change END, query, now() "
                        + "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
                        + "AND (backend_type = 'client backend' OR backend_type IS NULL) ORDER BY pid").fetch();
        Map<UUID, List<LiveWorker.Session>> java = new TreeMap<>();
        List<LiveWorker> python = new ArrayList<>();
        int hidden = 0;
        Instant at = Instant.now();
        for (var r : rows) {
            at = r.get(6, OffsetDateTime.class).toInstant();
            String application = r.get(1, String.class);
            String query = r.get(5, String.class);
            LiveWorker.Session session = new LiveWorker.Session(r.get(0, Integer.class), application,
                    Optional.ofNullable(r.get(2, String.class)),
                    Optional.ofNullable(r.get(3, OffsetDateTime.class)).map(OffsetDateTime::toInstant),
                    Optional.ofNullable(r.get(4, OffsetDateTime.class)).map(OffsetDateTime::toInstant));
            Matcher named = JAVA_WORKER_SESSION.matcher(application);
            if (named.matches()) {
                java.computeIfAbsent(UUID.fromString(named.group(1)), k -> new ArrayList<>()).add(session);
            } else if (application.startsWith("pgqj-")) {
                continue; // ours, but no worker (the dashboard's listener)
            } else if (query == null || query.equals(HIDDEN_QUERY)) {
                hidden++;
            } else if (isPgqueuerWorkerStatement(query, names)) {
                python.add(new LiveWorker(WorkerLanguage.PYTHON, Optional.empty(), List.of(session), Optional.empty()));
            }
        }
        Map<UUID, ActiveWorker> busy = new LinkedHashMap<>();
        activeWorkers(dsl).forEach(a -> busy.put(a.queueManagerId(), a));
        List<LiveWorker> workers = new ArrayList<>();
        java.forEach((id, sessions) -> workers.add(new LiveWorker(WorkerLanguage.JAVA, Optional.of(id), sessions,
                Optional.ofNullable(busy.remove(id)))));
        workers.addAll(python);
        return new LiveWorkers(workers, List.copyOf(busy.values()), hidden, at);
    }

    /**
     * Whether {@code query}, a session's last statement, is one only a Python pgqueuer worker of this install
     * sends: its health-check probe, its LISTEN on the channel, or a worker statement naming the queue table as
     * pgqueuer writes it (unquoted, schema-qualified when the install has a schema).
     */
    static boolean isPgqueuerWorkerStatement(String query, PgqueuerNames names) {
        String q = query.strip().replaceAll("\\s+", " ");
        if (q.equals("SELECT pg_notify($1, $2)")) {
            return true;
        }
        if (q.startsWith("LISTEN ")) {
            return q.substring(7).replace("\"", "").equals(names.channel());
        }
        String table = "(?:" + Pattern.quote(names.schema()) + "\\.)?" + Pattern.quote(names.queueTable());
        return Pattern.compile("(?<![\\w.\"])" + table + "(?![\\w\"])").matcher(q).find()
                && PGQUEUER_WORKER_MARKERS.stream().anyMatch(q::contains);
    }

    /** The install's four tables with persistence, row estimate and size, by name. */
    public List<TableInfo> tables(DSLContext dsl) {
        // pg_catalog has no generated classes: plain SQL, every value bound
        var rows = Objects.requireNonNull(dsl, "dsl").resultQuery(
                "SELECT c.relname, CASE c.relpersistence WHEN 'u' THEN 'UNLOGGED' WHEN 'p' THEN 'LOGGED' "
                        + "ELSE c.relpersistence::text END, c.reltuples::bigint, "
                        + "pg_size_pretty(pg_total_relation_size(c.oid)), pg_total_relation_size(c.oid) "
                        + "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        + "WHERE n.nspname = {0} AND c.relkind = 'r' AND c.relname IN ({1}, {2}, {3}, {4}) "
                        + "ORDER BY c.relname",
                schemaAndTableNames()).fetch();
        List<TableInfo> out = new ArrayList<>();
        for (var r : rows) {
            out.add(new TableInfo(r.get(0, String.class), r.get(1, String.class), r.get(2, Long.class),
                    r.get(3, String.class), r.get(4, Long.class)));
        }
        return out;
    }

    /**
     * The facts of {@link #tables} with each table's upkeep (dead rows, last vacuum and analyze from
     * {@code pg_stat_user_tables}), the server's NOTIFY queue usage, the oldest log and statistics rows and whether a log retention
     * schedule is registered: what an operator checks when the queue slows down. Three short SELECTs.
     */
    public TableHealth tableHealth(DSLContext dsl) {
        Map<String, TableInfo> infos = new LinkedHashMap<>();
        tables(dsl).forEach(t -> infos.put(t.tableName(), t));
        // pg_catalog has no generated classes: plain SQL, every value bound
        var rows = dsl.resultQuery(
                "SELECT relname, n_live_tup, n_dead_tup, last_vacuum, last_autovacuum, last_analyze, last_autoanalyze, "
                        + "autovacuum_count FROM pg_stat_user_tables "
                        + "WHERE schemaname = {0} AND relname IN ({1}, {2}, {3}, {4}) ORDER BY relname",
                schemaAndTableNames()).fetch();
        List<TableStats> stats = new ArrayList<>();
        for (var r : rows) {
            TableInfo info = infos.get(r.get(0, String.class));
            if (info != null) {
                stats.add(new TableStats(info, r.get(1, Long.class), r.get(2, Long.class), instant(r.get(3, OffsetDateTime.class)),
                        instant(r.get(4, OffsetDateTime.class)), instant(r.get(5, OffsetDateTime.class)),
                        instant(r.get(6, OffsetDateTime.class)), r.get(7, Long.class)));
            }
        }
        DSLContext q = q(dsl);
        var facts = q.select(
                        DSL.field(q.select(min(PGQUEUER_LOG.CREATED)).from(PGQUEUER_LOG)),
                        DSL.field(q.select(min(PGQUEUER_STATISTICS.CREATED)).from(PGQUEUER_STATISTICS)),
                        DSL.field(DSL.exists(DSL.selectOne().from(PGQUEUER_SCHEDULES)
                                .where(PGQUEUER_SCHEDULES.ENTRYPOINT.eq(LogRetention.ENTRYPOINT)))),
                        DSL.field("pg_notification_queue_usage()", Double.class), currentOffsetDateTime())
                .fetchSingle();
        return new TableHealth(stats, facts.value4(), instant(facts.value1()), instant(facts.value2()),
                Boolean.TRUE.equals(facts.value3()), facts.value5().toInstant());
    }

    /** The install's schema and four table names as bind values {0} to {4} of a catalog query. */
    private QueryPart[] schemaAndTableNames() {
        PgqueuerNames names = tables.names();
        return new QueryPart[] {val(names.schema()), val(names.queueTable()), val(names.logTable()),
                val(names.statisticsTable()), val(names.schedulesTable())};
    }

    private static Optional<Instant> instant(OffsetDateTime t) {
        return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
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
