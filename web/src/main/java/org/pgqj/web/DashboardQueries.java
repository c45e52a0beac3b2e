package org.pgqj.web;

import static org.jooq.impl.DSL.any;
import static org.jooq.impl.DSL.arrayAggDistinct;
import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.countDistinct;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.sum;
import static org.jooq.impl.DSL.val;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;
import static org.pgqj.codegen.Tables.PGQUEUER_SCHEDULES;
import static org.pgqj.codegen.Tables.PGQUEUER_STATISTICS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.SelectField;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.jooq.types.DayToSecond;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.admin.QueueSize;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.pgqj.web.Views.Failures;
import org.pgqj.web.Views.HeldJob;
import org.pgqj.web.Views.JobDetail;
import org.pgqj.web.Views.JobRow;
import org.pgqj.web.Views.JobRowFull;
import org.pgqj.web.Views.JobsPage;
import org.pgqj.web.Views.LogEntry;
import org.pgqj.web.Views.Overview;
import org.pgqj.web.Views.ScheduleRow;
import org.pgqj.web.Views.Schedules;
import org.pgqj.web.Views.SizeRow;
import org.pgqj.web.Views.Traceback;
import org.pgqj.web.Views.WorkerRow;
import org.pgqj.web.Views.Workers;

/**
 * The dashboard's own reads (jOOQ over the generated tables, mapped to the install by {@link QueueTables}) and
 * its two writes, which go through {@link QueueAdmin}. Every value from a request reaches SQL as a bound value.
 * Each page reads on one connection; the times on a page come from the database's {@code now()}.
 */
final class DashboardQueries {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<SelectField<?>> ROW = List.of(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.STATUS,
            PGQUEUER.PRIORITY, PGQUEUER.CREATED, PGQUEUER.EXECUTE_AFTER, PGQUEUER.HEARTBEAT, PGQUEUER.ATTEMPTS,
            PGQUEUER.QUEUE_MANAGER_ID);
    private static final int HISTORY_LIMIT = 1000;

    private final DataSource dataSource;
    private final QueueTables tables;
    private final QueueAdmin admin;
    private final Duration staleAfter;
    private final int pageSize;

    DashboardQueries(DataSource dataSource, QueueTables tables, Duration staleAfter, int pageSize) {
        this.dataSource = dataSource;
        this.tables = tables;
        this.admin = QueueAdmin.create(tables);
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

    /** Queue rows per entrypoint and status (pgqueuer's queue size, folded over priorities). */
    List<SizeRow> sizes(DSLContext q) {
        Map<String, long[]> per = new TreeMap<>();
        for (QueueSize s : admin.queueSize(q)) {
            long[] c = per.computeIfAbsent(s.entrypoint(), k -> new long[3]);
            switch (s.status().label()) {
                case "queued" -> c[0] += s.count();
                case "picked" -> c[1] += s.count();
                default -> c[2] += s.count(); // failed: held jobs are the only other status a queue row has
            }
        }
        List<SizeRow> rows = new ArrayList<>();
        per.forEach((e, c) -> rows.add(new SizeRow(e, c[0], c[1], c[2])));
        return rows;
    }

    Overview overview(DSLContext q, Instant now, List<SizeRow> sizes) {
        Condition picked = PGQUEUER.STATUS.eq(inline(PgqueuerStatus.picked, PGQUEUER.STATUS));
        Record3View head = q.select(
                        min(PGQUEUER.CREATED).filterWhere(PGQUEUER.STATUS.eq(inline(PgqueuerStatus.queued, PGQUEUER.STATUS))),
                        countDistinct(PGQUEUER.QUEUE_MANAGER_ID).filterWhere(picked),
                        count().filterWhere(picked.and(PGQUEUER.HEARTBEAT.lt(ago(staleAfter)))))
                .from(PGQUEUER)
                .fetchSingle(r -> new Record3View(Optional.ofNullable(r.value1()).map(OffsetDateTime::toInstant),
                        r.value2(), r.value3()));
        List<LogEntry> failures = log(q, PGQUEUER_LOG.STATUS.in(inline(PgqueuerStatus.exception, PGQUEUER_LOG.STATUS),
                        inline(PgqueuerStatus.failed, PGQUEUER_LOG.STATUS)).and(PGQUEUER_LOG.CREATED.gt(ago(Duration.ofHours(1)))),
                false, 10);
        long queued = sizes.stream().mapToLong(SizeRow::queued).sum();
        long inFlight = sizes.stream().mapToLong(SizeRow::picked).sum();
        long held = sizes.stream().mapToLong(SizeRow::failed).sum();
        return new Overview(queued, inFlight, held, head.workers(), head.stale(), head.oldestQueued(), sizes,
                throughput(q, now), failures, staleAfter);
    }

    private record Record3View(Optional<Instant> oldestQueued, long workers, long stale) {
    }

    /** Finished jobs per minute of the last hour, from pgqueuer_statistics. */
    Chart throughput(DSLContext q, Instant now) {
        Field<OffsetDateTime> minute = function("date_trunc", OffsetDateTime.class, inline("minute"),
                PGQUEUER_STATISTICS.CREATED);
        Instant last = now.truncatedTo(ChronoUnit.MINUTES);
        Instant first = last.minus(59, ChronoUnit.MINUTES);
        Map<Instant, long[]> counts = new HashMap<>();
        q.select(minute, PGQUEUER_STATISTICS.STATUS, sum(PGQUEUER_STATISTICS.COUNT))
                .from(PGQUEUER_STATISTICS)
                .where(PGQUEUER_STATISTICS.CREATED.ge(val(first.atOffset(java.time.ZoneOffset.UTC))))
                .groupBy(minute, PGQUEUER_STATISTICS.STATUS)
                .forEach(r -> {
                    long[] c = counts.computeIfAbsent(r.value1().toInstant(), k -> new long[3]);
                    long n = r.value3() == null ? 0 : r.value3().longValue();
                    switch (r.value2()) {
                        case successful -> c[0] += n;
                        case exception, failed -> c[1] += n;
                        case canceled, deleted -> c[2] += n;
                        default -> { } // queued and picked are not finished jobs
                    }
                });
        List<Chart.Minute> minutes = new ArrayList<>(60);
        for (Instant t = first; !t.isAfter(last); t = t.plus(1, ChronoUnit.MINUTES)) {
            long[] c = counts.getOrDefault(t, new long[3]);
            minutes.add(new Chart.Minute(t, c[0], c[1], c[2]));
        }
        return Chart.of(minutes);
    }

    /** One keyset page of queue rows, newest first; the cursor is the primary key. */
    JobsPage jobs(DSLContext q, JobFilter f, List<String> entrypoints) {
        Condition c = DSL.trueCondition();
        if (f.entrypoint().isPresent()) {
            c = c.and(PGQUEUER.ENTRYPOINT.eq(val(f.entrypoint().get())));
        }
        if (f.status().isPresent()) {
            c = c.and(PGQUEUER.STATUS.eq(val(PgqueuerStatus.valueOf(f.status().get()), PGQUEUER.STATUS)));
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

    /** Held jobs with their last traceback, and the recent exception log. */
    Failures failures(DSLContext q, int limit) {
        List<Job> held = admin.failedJobs(q, limit);
        Map<Long, Traceback> last = new HashMap<>();
        if (!held.isEmpty()) {
            Long[] ids = held.stream().map(Job::id).toArray(Long[]::new);
            q.select(PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.TRACEBACK)
                    .distinctOn(PGQUEUER_LOG.JOB_ID)
                    .from(PGQUEUER_LOG)
                    .where(PGQUEUER_LOG.JOB_ID.eq(any(val(ids, SQLDataType.BIGINT.array())))
                            .and(PGQUEUER_LOG.TRACEBACK.isNotNull()))
                    .orderBy(PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.CREATED.desc(), PGQUEUER_LOG.ID.desc())
                    .forEach(x -> traceback(x.value2()).ifPresent(t -> last.put(x.value1(), t)));
        }
        List<HeldJob> rows = held.stream().map(j -> new HeldJob(new JobRow(j.id(), j.entrypoint(), j.status().label(),
                j.priority(), j.created(), j.executeAfter(), j.heartbeat(), j.attempts(), j.queueManagerId()),
                j.updated(), Optional.ofNullable(last.get(j.id())))).toList();
        List<LogEntry> recent = log(q, PGQUEUER_LOG.STATUS.in(inline(PgqueuerStatus.exception, PGQUEUER_LOG.STATUS),
                        inline(PgqueuerStatus.failed, PGQUEUER_LOG.STATUS)).and(PGQUEUER_LOG.CREATED.gt(ago(Duration.ofDays(1)))),
                false, 50);
        return new Failures(rows, recent, limit);
    }

    /** Queue managers known by the jobs they hold picked, and the picked jobs whose heartbeat stopped. */
    Workers workers(DSLContext q) {
        Field<OffsetDateTime> last = max(PGQUEUER.HEARTBEAT);
        Condition picked = PGQUEUER.STATUS.eq(inline(PgqueuerStatus.picked, PGQUEUER.STATUS));
        Field<OffsetDateTime> staleBefore = ago(staleAfter);
        List<WorkerRow> workers = q.select(PGQUEUER.QUEUE_MANAGER_ID, count(), last, arrayAggDistinct(PGQUEUER.ENTRYPOINT),
                        DSL.field(last.lt(staleBefore)))
                .from(PGQUEUER)
                .where(picked.and(PGQUEUER.QUEUE_MANAGER_ID.isNotNull()))
                .groupBy(PGQUEUER.QUEUE_MANAGER_ID)
                .orderBy(last.desc())
                .fetch(r -> new WorkerRow(r.value1(), r.value2(), r.value3().toInstant(), Arrays.asList(r.value4()),
                        Boolean.TRUE.equals(r.value5())));
        List<JobRow> stale = q.select(ROW).from(PGQUEUER)
                .where(picked.and(PGQUEUER.HEARTBEAT.lt(staleBefore)))
                .orderBy(PGQUEUER.HEARTBEAT, PGQUEUER.ID)
                .limit(100)
                .fetch(DashboardQueries::jobRow);
        return new Workers(workers, stale, staleAfter);
    }

    /** Every schedule row, soonest first. */
    Schedules schedules(DSLContext q, Instant now) {
        return new Schedules(q.selectFrom(PGQUEUER_SCHEDULES)
                .orderBy(PGQUEUER_SCHEDULES.NEXT_RUN, PGQUEUER_SCHEDULES.ID)
                .fetch(r -> new ScheduleRow(r.getId(), r.getExpression(), r.getEntrypoint(), r.getStatus().getLiteral(),
                        r.getNextRun().toInstant(), Optional.ofNullable(r.getLastRun()).map(OffsetDateTime::toInstant),
                        r.getHeartbeat().toInstant(),
                        r.getStatus() == PgqueuerStatus.queued && r.getNextRun().toInstant().isBefore(now.minusSeconds(60)))));
    }

    /** Held jobs back to queued ({@link QueueAdmin#requeue}), in one transaction. */
    List<Long> requeue(List<Long> ids) {
        return tables.dsl(dataSource).transactionResult(cfg -> admin.requeue(DSL.using(cfg), ids));
    }

    /** Jobs canceled ({@link QueueAdmin#cancel}: row deleted, logged, cancellation_event sent), in one transaction. */
    List<Long> cancel(List<Long> ids) {
        return tables.dsl(dataSource).transactionResult(cfg -> admin.cancel(DSL.using(cfg), ids));
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
}
