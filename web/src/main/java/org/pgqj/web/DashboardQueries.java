package org.pgqj.web;

import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.extract;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.lateral;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.percentileCont;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.sum;
import static org.jooq.impl.DSL.val;
import static org.jooq.impl.DSL.when;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;
import static org.pgqj.codegen.Tables.PGQUEUER_SCHEDULES;
import static org.pgqj.codegen.Tables.PGQUEUER_STATISTICS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.DatePart;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.Record3;
import org.jooq.SQLDialect;
import org.jooq.SelectField;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.jooq.types.DayToSecond;
import org.pgqj.admin.BulkResult;
import org.pgqj.admin.LiveWorkers;
import org.pgqj.admin.PauseResult;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.admin.QueueInspection;
import org.pgqj.admin.TableHealth;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.pgqj.schedule.Schedules;
import org.pgqj.web.Views.Confirm;
import org.pgqj.web.Views.ExceptionGroup;
import org.pgqj.web.Views.Failures;
import org.pgqj.web.Views.HeldJob;
import org.pgqj.web.Views.JobDetail;
import org.pgqj.web.Views.JobRow;
import org.pgqj.web.Views.JobRowFull;
import org.pgqj.web.Views.JobsPage;
import org.pgqj.web.Views.LogEntry;
import org.pgqj.web.Views.Overview;
import org.pgqj.web.Views.ScheduleRow;
import org.pgqj.web.Views.SizeRow;
import org.pgqj.web.Views.Sizes;
import org.pgqj.web.Views.Traceback;
import org.pgqj.web.Views.Workers;

/**
 * The dashboard's own reads (jOOQ over the generated tables, mapped to the install by {@link QueueTables}) and
 * its writes, which go through {@link QueueAdmin} and {@link Schedules}. Every value from a request reaches SQL as
 * a bound value. Each page reads on one connection; the times on a page come from the database's {@code now()}.
 */
final class DashboardQueries {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<SelectField<?>> ROW = List.of(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.STATUS,
            PGQUEUER.PRIORITY, PGQUEUER.CREATED, PGQUEUER.EXECUTE_AFTER, PGQUEUER.HEARTBEAT, PGQUEUER.ATTEMPTS,
            PGQUEUER.QUEUE_MANAGER_ID);
    private static final int HISTORY_LIMIT = 1000;
    /** Held jobs listed per page of the failures page. */
    static final int FAILURES_PAGE = 100;
    /** Finished jobs sampled for the duration percentiles (the newest of the window). */
    static final int DURATION_SAMPLE = 2_000;
    private static final List<PgqueuerStatus> FINISHED = List.of(PgqueuerStatus.successful, PgqueuerStatus.exception,
            PgqueuerStatus.failed, PgqueuerStatus.canceled, PgqueuerStatus.deleted);

    private final DataSource dataSource;
    private final QueueTables tables;
    private final QueueAdmin admin;
    private final QueueInspection inspection;
    private final FailureIndex failureIndex;
    private final Duration staleAfter;
    private final int pageSize;

    DashboardQueries(DataSource dataSource, QueueTables tables, Duration staleAfter, int pageSize) {
        this.dataSource = dataSource;
        this.tables = tables;
        // a picked job counts as its worker's while its heartbeat is younger than what the pages call stale
        this.admin = QueueAdmin.create(tables).heartbeatTimeout(staleAfter);
        this.inspection = QueueInspection.create(tables);
        this.failureIndex = new FailureIndex(inspection);
        this.staleAfter = staleAfter;
        this.pageSize = pageSize;
    }

    int pageSize() {
        return pageSize;
    }

    /** Runs {@code work} on one connection (auto-commit reads) with the install's names mapped. */
    <T> T read(Function<DSLContext, T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.apply(tables.dsl(DSL.using(c, SQLDialect.POSTGRES)));
        } catch (SQLException e) {
            throw new PgqjException("Dashboard could not read the queue: " + e.getMessage(), e);
        }
    }

    /** The database's clock. */
    Instant now(DSLContext q) {
        return q.select(currentOffsetDateTime()).fetchSingle().value1().toInstant();
    }

    /**
     * Queue rows per entrypoint: due (runnable now), scheduled for later, picked, held; the oldest due job's due
     * time and the next scheduled one. One scan of the queue table, as pgqueuer's queue size.
     */
    Sizes sizes(DSLContext q) {
        // grouped by (entrypoint, status, due) and folded here: cheaper per row than one filtered aggregate per count
        Field<Boolean> due = DSL.field(PGQUEUER.EXECUTE_AFTER.le(currentOffsetDateTime()));
        Map<String, long[]> counts = new TreeMap<>();
        Map<String, Instant[]> times = new HashMap<>();
        Instant[] at = {null};
        q.select(PGQUEUER.ENTRYPOINT, PGQUEUER.STATUS, due, count(), min(PGQUEUER.EXECUTE_AFTER), currentOffsetDateTime())
                .from(PGQUEUER)
                .groupBy(PGQUEUER.ENTRYPOINT, PGQUEUER.STATUS, due)
                .forEach(r -> {
                    long[] c = counts.computeIfAbsent(r.value1(), k -> new long[4]);
                    Instant[] t = times.computeIfAbsent(r.value1(), k -> new Instant[2]);
                    boolean isDue = Boolean.TRUE.equals(r.value3());
                    switch (r.value2()) {
                        case queued -> {
                            c[isDue ? 0 : 1] += r.value4();
                            t[isDue ? 0 : 1] = r.value5().toInstant();
                        }
                        case picked -> c[2] += r.value4();
                        default -> c[3] += r.value4(); // failed: held jobs are the only other status a queue row has
                    }
                    at[0] = r.value6().toInstant();
                });
        List<SizeRow> rows = new ArrayList<>();
        counts.forEach((e, c) -> rows.add(new SizeRow(e, c[0], c[1], c[2], c[3], Optional.ofNullable(times.get(e)[0]),
                Optional.ofNullable(times.get(e)[1]))));
        return new Sizes(rows, at[0] == null ? now(q) : at[0]);
    }

    Overview overview(DSLContext q, Sizes sizes, Throughput throughput) {
        long stale = q.selectCount().from(PGQUEUER)
                .where(PGQUEUER.STATUS.eq(inline(PgqueuerStatus.picked, PGQUEUER.STATUS))
                        .and(PGQUEUER.HEARTBEAT.lt(ago(staleAfter))))
                .fetchSingle().value1();
        List<LogEntry> failures = log(q, failureRows().and(PGQUEUER_LOG.CREATED.gt(ago(Duration.ofHours(1)))), false, 10);
        return new Overview(sizes, inspection.liveWorkers(q), stale, throughput, failures, staleAfter);
    }

    /**
     * Finished jobs and failures per minute and entrypoint over the last hour: pgqueuer_statistics (which workers
     * fill every ~30 s) plus the log rows not yet folded into it, in one statement, so a job is counted once.
     */
    Throughput throughput(DSLContext q, Instant now) {
        Instant first = now.truncatedTo(ChronoUnit.MINUTES).minus(Throughput.MINUTES - 1, ChronoUnit.MINUTES);
        OffsetDateTime from = first.atOffset(ZoneOffset.UTC);
        Field<OffsetDateTime> statsMinute = minute(PGQUEUER_STATISTICS.CREATED);
        Field<OffsetDateTime> logMinute = minute(PGQUEUER_LOG.CREATED);
        Field<BigDecimal> logCount = count().cast(SQLDataType.NUMERIC);
        Map<String, long[][]> per = new TreeMap<>();
        q.select(statsMinute, PGQUEUER_STATISTICS.ENTRYPOINT, PGQUEUER_STATISTICS.STATUS, sum(PGQUEUER_STATISTICS.COUNT))
                .from(PGQUEUER_STATISTICS)
                .where(PGQUEUER_STATISTICS.CREATED.ge(val(from)).and(PGQUEUER_STATISTICS.STATUS.in(FINISHED)))
                .groupBy(statsMinute, PGQUEUER_STATISTICS.ENTRYPOINT, PGQUEUER_STATISTICS.STATUS)
                .unionAll(select(logMinute, PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.STATUS, logCount)
                        .from(PGQUEUER_LOG)
                        // "not aggregated", spelled as the partial index pgqueuer_log_not_aggregated is
                        .where(DSL.not(DSL.condition(PGQUEUER_LOG.AGGREGATED))
                                .and(PGQUEUER_LOG.CREATED.ge(val(from))).and(PGQUEUER_LOG.STATUS.in(FINISHED)))
                        .groupBy(logMinute, PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.STATUS))
                .forEach(r -> {
                    int i = (int) ChronoUnit.MINUTES.between(first, r.value1().toInstant());
                    if (i < 0 || i >= Throughput.MINUTES || r.value4() == null) {
                        return;
                    }
                    long[][] s = per.computeIfAbsent(r.value2(), k -> new long[2][Throughput.MINUTES]);
                    long n = r.value4().longValue();
                    s[0][i] += n;
                    if (r.value3() == PgqueuerStatus.exception || r.value3() == PgqueuerStatus.failed) {
                        s[1][i] += n;
                    }
                });
        List<Throughput.Series> series = new ArrayList<>();
        per.forEach((e, s) -> series.add(new Throughput.Series(e, s[0], s[1])));
        return new Throughput(first, series, now);
    }

    /**
     * Handler duration and queue wait per entrypoint from the newest {@link #DURATION_SAMPLE} jobs that finished
     * within {@code window}: for each, its log rows (one index lookup by job id) give the last pick before the end
     * and the last queued row before that pick. The cost is bounded by the sample, not by the log's size.
     */
    Durations durations(DSLContext q, Duration window) {
        Field<OffsetDateTime> since = ago(window);
        CommonTableExpression<Record3<Long, String, OffsetDateTime>> fin = name("pgqj_fin").fields("f_job", "f_ep", "f_at")
                .as(select(PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.CREATED).from(PGQUEUER_LOG)
                        .where(PGQUEUER_LOG.CREATED.gt(since).and(PGQUEUER_LOG.STATUS.in(FINISHED)))
                        .orderBy(PGQUEUER_LOG.CREATED.desc())
                        .limit(val(DURATION_SAMPLE)));
        // unqualified: the render mapping would schema-qualify the CTE's name (see Cte)
        Field<Long> job = DSL.field(name("f_job"), Long.class);
        Field<String> ep = DSL.field(name("f_ep"), String.class);
        Field<OffsetDateTime> end = DSL.field(name("f_at"), OffsetDateTime.class);
        Table<?> l = PGQUEUER_LOG.as("pgqj_l");
        Field<OffsetDateTime> lCreated = l.field(PGQUEUER_LOG.CREATED);
        Field<PgqueuerStatus> lStatus = l.field(PGQUEUER_LOG.STATUS);
        Table<?> marks = lateral(select(
                        max(lCreated).filterWhere(lStatus.eq(inline(PgqueuerStatus.picked, PGQUEUER_LOG.STATUS))).as("t_picked"),
                        max(lCreated).filterWhere(lStatus.eq(inline(PgqueuerStatus.queued, PGQUEUER_LOG.STATUS))).as("t_queued"))
                .from(l)
                .where(l.field(PGQUEUER_LOG.JOB_ID).eq(job).and(lCreated.le(end)))).as("pgqj_t");
        Field<OffsetDateTime> picked = DSL.field(name("t_picked"), OffsetDateTime.class);
        Field<OffsetDateTime> queued = DSL.field(name("t_queued"), OffsetDateTime.class);
        Field<BigDecimal> run = epoch(end).minus(epoch(picked));
        Field<BigDecimal> wait = when(queued.le(picked), epoch(picked).minus(epoch(queued)));
        List<Durations.Row> rows = new ArrayList<>();
        long[] sampled = {0};
        Instant[] oldest = {null};
        q.with(fin)
                .select(ep, count(), percentileCont(0.5).withinGroupOrderBy(run), percentileCont(0.95).withinGroupOrderBy(run),
                        percentileCont(0.99).withinGroupOrderBy(run), max(run), count(wait),
                        percentileCont(0.5).withinGroupOrderBy(wait), percentileCont(0.95).withinGroupOrderBy(wait),
                        percentileCont(0.99).withinGroupOrderBy(wait), min(end))
                .from(fin.crossJoin(marks))
                .where(picked.isNotNull())
                .groupBy(ep)
                .orderBy(ep)
                .forEach(r -> {
                    rows.add(new Durations.Row(r.value1(), r.value2(), d(r.value3()), d(r.value4()), d(r.value5()),
                            d(r.value6()), r.value7(), d(r.value8()), d(r.value9()), d(r.value10())));
                    sampled[0] += r.value2();
                    Instant t = r.value11().toInstant();
                    oldest[0] = oldest[0] == null || t.isBefore(oldest[0]) ? t : oldest[0];
                });
        return new Durations(window, DURATION_SAMPLE, sampled[0], Optional.ofNullable(oldest[0]), rows);
    }

    /** One keyset page of queue rows, newest first; the cursor is the primary key. */
    JobsPage jobs(DSLContext q, JobFilter f, List<String> entrypoints) {
        Condition c = DSL.trueCondition();
        if (f.entrypoint().isPresent()) {
            c = c.and(PGQUEUER.ENTRYPOINT.eq(val(f.entrypoint().get())));
        }
        if (f.status().isPresent()) {
            String status = f.status().get();
            boolean queuedKind = status.equals("due") || status.equals("scheduled");
            c = c.and(PGQUEUER.STATUS.eq(val(PgqueuerStatus.valueOf(queuedKind ? "queued" : status), PGQUEUER.STATUS)));
            if (status.equals("due")) {
                c = c.and(PGQUEUER.EXECUTE_AFTER.le(currentOffsetDateTime()));
            } else if (status.equals("scheduled")) {
                c = c.and(PGQUEUER.EXECUTE_AFTER.gt(currentOffsetDateTime()));
            }
        }
        if (f.priority().isPresent()) {
            c = c.and(PGQUEUER.PRIORITY.eq(val(f.priority().get())));
        }
        if (f.olderThan().isPresent()) {
            c = c.and(PGQUEUER.CREATED.le(ago(f.olderThan().get())));
        }
        boolean backwards = f.after().isPresent();
        if (backwards) {
            c = c.and(PGQUEUER.ID.gt(val(f.after().get())));
        } else if (f.before().isPresent()) {
            c = c.and(PGQUEUER.ID.lt(val(f.before().get())));
        }
        List<JobRow> rows = new ArrayList<>(q.select(ROW).from(PGQUEUER).where(c)
                .orderBy(backwards ? PGQUEUER.ID.asc() : PGQUEUER.ID.desc())
                .limit(val(pageSize + 1))
                .fetch(DashboardQueries::jobRow));
        boolean more = rows.size() > pageSize;
        if (more) {
            rows.remove(rows.size() - 1);
        }
        if (backwards) {
            Collections.reverse(rows);
        }
        Optional<Long> newest = rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0).id());
        Optional<Long> oldest = rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(rows.size() - 1).id());
        Optional<Long> newer = backwards ? (more ? newest : Optional.empty()) : f.before().isPresent() ? newest : Optional.empty();
        Optional<Long> older = backwards ? oldest : (more ? oldest : Optional.empty());
        return new JobsPage(f, rows, newer, older, entrypoints, Optional.empty());
    }

    /** A job's queue row (while it has one) and its whole log history, oldest first. */
    JobDetail job(DSLContext q, long id) {
        Optional<Record> r = q.select(ROW).select(PGQUEUER.DEDUPE_KEY, PGQUEUER.SLOT, PGQUEUER.UPDATED,
                        PGQUEUER.PAYLOAD, PGQUEUER.HEADERS)
                .from(PGQUEUER).where(PGQUEUER.ID.eq(val(id))).fetchOptional();
        List<LogEntry> history = log(q, PGQUEUER_LOG.JOB_ID.eq(val(id)), true, HISTORY_LIMIT);
        Optional<JobRowFull> row = r.map(x -> new JobRowFull(jobRow(x), Optional.ofNullable(x.get(PGQUEUER.DEDUPE_KEY)),
                Optional.ofNullable(x.get(PGQUEUER.SLOT)), x.get(PGQUEUER.UPDATED).toInstant()));
        String entrypoint = row.map(x -> x.row().entrypoint())
                .orElse(history.isEmpty() ? "" : history.get(history.size() - 1).entrypoint());
        String status = row.map(x -> x.row().status())
                .orElse(history.isEmpty() ? "" : history.get(history.size() - 1).status());
        Payloads.Shown payload = Payloads.show(r.map(x -> x.get(PGQUEUER.PAYLOAD)));
        String headers = r.map(x -> x.get(PGQUEUER.HEADERS)).map(JSONB::data)
                .flatMap(Payloads::prettyJson).filter(h -> !"null".equals(h)).orElse("");
        return new JobDetail(id, row, entrypoint, status, history, payload, headers);
    }

    /**
     * The failures page: every held job from the {@link FailureIndex} (totals, groups by exception type, the
     * filter), one page of the matching ones read in full (row, the failure that held it, its failure count),
     * and the exception log of the last 24 hours.
     */
    Failures failures(DSLContext q, FailureFilter f, Instant now) {
        List<FailureIndex.Held> held = failureIndex.refresh(q);
        FailureFilter.Matcher m = f.at(now);
        Map<String, Map<String, long[]>> perType = new HashMap<>();
        Map<String, Instant> newest = new HashMap<>();
        TreeSet<String> entrypoints = new TreeSet<>();
        List<Long> matching = new ArrayList<>();
        String lastEntrypoint = null;
        for (FailureIndex.Held h : held) {
            if (!h.entrypoint().equals(lastEntrypoint)) { // runs of one entrypoint are common: skip the set then
                entrypoints.add(h.entrypoint());
                lastEntrypoint = h.entrypoint();
            }
            if (!m.matchesAllButType(h.entrypoint(), h.heldSince())) {
                continue;
            }
            perType.computeIfAbsent(h.exceptionType(), k -> new HashMap<>())
                    .computeIfAbsent(h.entrypoint(), k -> new long[1])[0]++;
            Instant n = newest.get(h.exceptionType());
            if (n == null || h.heldSince().isAfter(n)) {
                newest.put(h.exceptionType(), h.heldSince());
            }
            if (m.exceptionType() == null || m.exceptionType().equals(h.exceptionType())) {
                matching.add(h.id()); // newest id first, as the index lists them
            }
        }
        List<ExceptionGroup> groups = new ArrayList<>();
        perType.forEach((type, eps) -> groups.add(new ExceptionGroup(type, eps.values().stream().mapToLong(c -> c[0]).sum(),
                eps.entrySet().stream()
                        .map(e -> (Map.Entry<String, Long>) new AbstractMap.SimpleImmutableEntry<>(e.getKey(), e.getValue()[0]))
                        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                        .toList(), newest.get(type))));
        groups.sort(Comparator.comparingLong(ExceptionGroup::count).reversed().thenComparing(ExceptionGroup::exceptionType));
        List<Long> page = matching.stream().filter(id -> f.before().map(b -> id < b).orElse(true))
                .limit(FAILURES_PAGE + 1).toList();
        Optional<Long> older = page.size() > FAILURES_PAGE ? Optional.of(page.get(FAILURES_PAGE - 1)) : Optional.empty();
        List<HeldJob> rows = heldJobs(q, page.subList(0, Math.min(page.size(), FAILURES_PAGE)));
        List<LogEntry> recent = log(q, failureRows().and(PGQUEUER_LOG.CREATED.gt(ago(Duration.ofDays(1)))), false, 50);
        return new Failures(f, held.size(), matching.size(), groups, rows, older, List.copyOf(entrypoints), recent,
                Optional.empty());
    }

    /** How many held jobs a bulk action of {@code f} confirmed now would touch, and the instant it is bound to. */
    Confirm confirm(DSLContext q, String action, FailureFilter f) {
        Instant now = now(q);
        FailureFilter.Matcher m = f.at(now);
        long n = failureIndex.refresh(q).stream().filter(h -> m.matches(h.entrypoint(), h.exceptionType(), h.heldSince())).count();
        return new Confirm(action, f, n, now);
    }

    /** The held jobs with these ids (newest first) with their last traceback and their failure count. */
    private List<HeldJob> heldJobs(DSLContext q, List<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        Long[] array = ids.toArray(Long[]::new);
        Map<Long, Traceback> last = new HashMap<>();
        Map<Long, Long> failures = new HashMap<>();
        Condition ofThese = PGQUEUER_LOG.JOB_ID.eq(any(val(array, SQLDataType.BIGINT.array())));
        q.select(PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.TRACEBACK)
                .distinctOn(PGQUEUER_LOG.JOB_ID)
                .from(PGQUEUER_LOG)
                .where(ofThese.and(PGQUEUER_LOG.TRACEBACK.isNotNull()))
                .orderBy(PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.CREATED.desc(), PGQUEUER_LOG.ID.desc())
                .forEach(x -> traceback(x.value2()).ifPresent(t -> last.put(x.value1(), t)));
        q.select(PGQUEUER_LOG.JOB_ID, count())
                .from(PGQUEUER_LOG)
                .where(ofThese.and(failureRows().or(PGQUEUER_LOG.TRACEBACK.isNotNull())))
                .groupBy(PGQUEUER_LOG.JOB_ID)
                .forEach(x -> failures.put(x.value1(), x.value2().longValue()));
        return q.select(ROW).select(PGQUEUER.UPDATED).from(PGQUEUER)
                .where(PGQUEUER.ID.eq(any(val(array, SQLDataType.BIGINT.array())))
                        .and(PGQUEUER.STATUS.eq(inline(PgqueuerStatus.failed, PGQUEUER.STATUS))))
                .orderBy(PGQUEUER.ID.desc())
                .fetch(r -> new HeldJob(jobRow(r), r.get(PGQUEUER.UPDATED).toInstant(),
                        Optional.ofNullable(last.get(r.get(PGQUEUER.ID))), failures.getOrDefault(r.get(PGQUEUER.ID), 0L)));
    }

    /** Live workers, the picked jobs whose heartbeat stopped, the paused entrypoints ({@code entrypoints}: known ones). */
    Workers workers(DSLContext q, List<String> entrypoints) {
        LiveWorkers live = inspection.liveWorkers(q);
        List<JobRow> stale = q.select(ROW).from(PGQUEUER)
                .where(PGQUEUER.STATUS.eq(inline(PgqueuerStatus.picked, PGQUEUER.STATUS))
                        .and(PGQUEUER.HEARTBEAT.lt(ago(staleAfter))))
                .orderBy(PGQUEUER.HEARTBEAT, PGQUEUER.ID)
                .limit(100)
                .fetch(DashboardQueries::jobRow);
        List<Views.PausedRow> paused = admin.pausedEntrypoints(q).stream()
                .map(p -> new Views.PausedRow(p, QueueAdmin.pythonNotice(live, p.entrypoint()))).toList();
        return new Workers(live, stale, staleAfter, new Views.Paused(admin.controlsInstalled(q), paused, entrypoints));
    }

    /** The tables' sizes and upkeep, the NOTIFY queue, the log's age and retention. */
    TableHealth tables(DSLContext q) {
        return inspection.tableHealth(q);
    }

    /** Every schedule row, soonest first. */
    Views.Schedules schedules(DSLContext q, Instant now) {
        return new Views.Schedules(q.selectFrom(PGQUEUER_SCHEDULES)
                .orderBy(PGQUEUER_SCHEDULES.NEXT_RUN, PGQUEUER_SCHEDULES.ID)
                .fetch(r -> new ScheduleRow(r.getId(), r.getExpression(), r.getEntrypoint(),
                        r.getStatus() == null ? "queued" : r.getStatus().getLiteral(), // the column is nullable
                        r.getNextRun().toInstant(), Optional.ofNullable(r.getLastRun()).map(OffsetDateTime::toInstant),
                        r.getHeartbeat().toInstant(),
                        r.getStatus() != PgqueuerStatus.picked && r.getNextRun().toInstant().isBefore(now.minusSeconds(60)))));
    }

    /** Held jobs back to queued ({@link QueueAdmin#requeue}), in one transaction. */
    List<Long> requeue(List<Long> ids) {
        return tables.dsl(dataSource).transactionResult(cfg -> admin.requeue(DSL.using(cfg), ids));
    }

    /** Pauses ({@link QueueAdmin#pause}) or resumes an entrypoint for every Java worker, in one transaction. */
    PauseResult pause(String entrypoint, boolean pause, String by) {
        return tables.dsl(dataSource).transactionResult(cfg -> pause ? admin.pause(DSL.using(cfg), entrypoint, by)
                : admin.resume(DSL.using(cfg), entrypoint, by));
    }

    /** Jobs canceled ({@link QueueAdmin#cancel}: row deleted, logged, cancellation_event sent), in one transaction. */
    List<Long> cancel(List<Long> ids) {
        return tables.dsl(dataSource).transactionResult(cfg -> admin.cancel(DSL.using(cfg), ids));
    }

    /** Every held job {@code f} matches and that was held at or before {@code asOf}, requeued in batches. */
    BulkResult requeueHeld(FailureFilter f, Instant asOf) {
        return admin.requeueHeld(dataSource, f.toHeldJobFilter(asOf));
    }

    /** Every held job {@code f} matches and that was held at or before {@code asOf}, canceled in batches. */
    BulkResult cancelHeld(FailureFilter f, Instant asOf) {
        return admin.cancelHeld(dataSource, f.toHeldJobFilter(asOf));
    }

    /** Makes an idle schedule due now ({@link Schedules#runNow}); false when it is running or gone. */
    boolean runNow(long scheduleId) {
        return read(q -> Schedules.runNow(tables, q, scheduleId));
    }

    /** Log rows of a failure: an exception, or a hold. */
    private static Condition failureRows() {
        return PGQUEUER_LOG.STATUS.in(inline(PgqueuerStatus.exception, PGQUEUER_LOG.STATUS),
                inline(PgqueuerStatus.failed, PGQUEUER_LOG.STATUS));
    }

    private List<LogEntry> log(DSLContext q, Condition where, boolean oldestFirst, int limit) {
        return q.select(PGQUEUER_LOG.ID, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.CREATED, PGQUEUER_LOG.STATUS,
                        PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.TRACEBACK)
                .from(PGQUEUER_LOG)
                .where(where)
                .orderBy(oldestFirst ? List.of(PGQUEUER_LOG.CREATED.asc(), PGQUEUER_LOG.ID.asc())
                        : List.of(PGQUEUER_LOG.ID.desc()))
                .limit(limit)
                .fetch(r -> new LogEntry(r.value1(), r.value2(), r.value3().toInstant(), r.value4().getLiteral(),
                        r.value5(), r.value6(), traceback(r.value7())));
    }

    /** pgqueuer's traceback document: exception_type, exception_message, traceback, additional_context. */
    static Optional<Traceback> traceback(JSONB value) {
        if (value == null || value.data() == null) {
            return Optional.empty();
        }
        String pretty = Payloads.prettyJson(value.data()).orElse(value.data());
        try {
            JsonNode n = JSON.readTree(value.data());
            if (n == null || n.isNull()) {
                return Optional.empty();
            }
            return Optional.of(new Traceback(n.path("exception_type").asText(""), n.path("exception_message").asText(""),
                    n.path("traceback").asText(""), pretty));
        } catch (Exception e) { // not JSON after all: show it as it is
            return Optional.of(new Traceback("", "", value.data(), pretty));
        }
    }

    private static JobRow jobRow(Record r) {
        return new JobRow(r.get(PGQUEUER.ID), r.get(PGQUEUER.ENTRYPOINT), r.get(PGQUEUER.STATUS).getLiteral(),
                r.get(PGQUEUER.PRIORITY), r.get(PGQUEUER.CREATED).toInstant(), r.get(PGQUEUER.EXECUTE_AFTER).toInstant(),
                r.get(PGQUEUER.HEARTBEAT).toInstant(), r.get(PGQUEUER.ATTEMPTS),
                Optional.ofNullable(r.get(PGQUEUER.QUEUE_MANAGER_ID)));
    }

    private static Field<OffsetDateTime> ago(Duration d) {
        return currentOffsetDateTime().minus(val(DayToSecond.valueOf(d)));
    }

    private static Field<OffsetDateTime> minute(Field<OffsetDateTime> t) {
        return function("date_trunc", OffsetDateTime.class, inline("minute"), t);
    }

    private static Field<BigDecimal> epoch(Field<OffsetDateTime> t) {
        // coerce: extract(epoch ...) is numeric with fractions in PostgreSQL, jOOQ types it Integer
        return extract(t, DatePart.EPOCH).coerce(BigDecimal.class);
    }

    private static Optional<Instant> instant(OffsetDateTime t) {
        return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
    }

    private static double d(BigDecimal v) {
        return v == null ? 0 : v.doubleValue();
    }
}
