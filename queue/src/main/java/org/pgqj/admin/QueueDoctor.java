package org.pgqj.admin;

import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.exists;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.selectOne;
import static org.jooq.impl.DSL.val;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;
import static org.pgqj.codegen.Tables.PGQUEUER_SCHEDULES;
import static org.pgqj.codegen.Tables.PGQUEUER_STATISTICS;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.exception.DataAccessException;
import org.jooq.types.DayToSecond;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.schema.SchemaVerification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Examines an install the way an operator who knows the SQL would, and says what is wrong and what to do: an
 * entrypoint whose due jobs no worker of either language picks (pgqueuer leaves them queued forever) or whose
 * workers fall behind, workers of one entrypoint that declare different concurrency limits (as far as the picked
 * rows show), stale picked jobs, log and statistics tables that grow with no retention schedule, a schema that
 * drifted from the catalog both languages expect, a filling NOTIFY queue, and autovacuum falling behind on the queue
 * table. {@code pgqj doctor} and the Spring health detail are its faces.
 *
 * <p>Reads only (a few short SELECTs on the queue tables and on {@code pg_stat_user_tables}); the thresholds are
 * {@link DoctorOptions}. Immutable and thread-safe.
 */
public final class QueueDoctor {

    private static final Logger LOG = LoggerFactory.getLogger(QueueDoctor.class);
    private static final int STALE_READ_LIMIT = 10_000;

    private final QueueTables tables;
    private final DoctorOptions options;

    private QueueDoctor(QueueTables tables, DoctorOptions options) {
        this.tables = Objects.requireNonNull(tables, "tables");
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A doctor for this install with the default thresholds. */
    public static QueueDoctor create(QueueTables tables) {
        return new QueueDoctor(tables, DoctorOptions.defaults());
    }

    /** A doctor for this install with these thresholds. */
    public static QueueDoctor create(QueueTables tables, DoctorOptions options) {
        return new QueueDoctor(tables, options);
    }

    /** The thresholds in use. */
    public DoctorOptions options() {
        return options;
    }

    /**
     * Runs every check on the database behind {@code dataSource} (each read on a connection of its own, nothing
     * written) and returns the findings, errors first. An install that is not there is one finding.
     */
    public DoctorReport examine(DataSource dataSource) {
        Objects.requireNonNull(dataSource, "dataSource");
        DSLContext dsl = tables.dsl(dataSource);
        Instant at = dsl.select(currentOffsetDateTime()).fetchSingle().value1().toInstant();
        List<DoctorFinding> out = new ArrayList<>();
        SchemaVerification schema = PgqueuerSchema.forDataSource(dataSource).names(tables.names()).verify();
        if (schema.isAbsent()) {
            out.add(new DoctorFinding(DoctorFinding.Check.SCHEMA, DoctorFinding.Severity.ERROR, where(),
                    "the pgqueuer schema is not installed", "Install it: pgqj install (or pgq install, or "
                    + "PgqueuerSchema.migrate()), with the prefix and schema the workers use"));
            return new DoctorReport(out, at);
        }
        if (!schema.isComplete()) {
            out.add(new DoctorFinding(DoctorFinding.Check.SCHEMA, DoctorFinding.Severity.ERROR, where(),
                    "the schema lacks " + String.join(", ", schema.missing()),
                    "Bring it to the catalog both languages expect: pgqj upgrade (or PgqueuerSchema.migrate()); "
                    + "review first with pgqj upgrade --plan. Java workers refuse to start until then"));
        }
        Map<String, TableStats> stats = tableStats(dsl);
        run(DoctorFinding.Check.UNSERVED_ENTRYPOINT, out, () -> waiting(dsl, out));
        run(DoctorFinding.Check.CONCURRENCY_LIMIT, out, () -> concurrencyLimits(dsl, out));
        run(DoctorFinding.Check.STALE_PICKED, out, () -> stale(dsl, out));
        run(DoctorFinding.Check.RETENTION, out, () -> retention(dsl, stats, out));
        run(DoctorFinding.Check.NOTIFY_QUEUE, out, () -> notifyQueue(dsl, out));
        run(DoctorFinding.Check.AUTOVACUUM, out, () -> autovacuum(stats, out));
        out.sort(Comparator.comparing(DoctorFinding::severity).reversed()
                .thenComparing(DoctorFinding::check).thenComparing(DoctorFinding::subject));
        return new DoctorReport(out, at);
    }

    /** A check that cannot read (a table or column missing) is itself a finding, and a log line. */
    private void run(DoctorFinding.Check check, List<DoctorFinding> out, Runnable body) {
        try {
            body.run();
        } catch (DataAccessException e) {
            LOG.warn("Queue doctor: the {} check could not read {}: {}", check, where(), e.getMessage());
            out.add(new DoctorFinding(check, DoctorFinding.Severity.WARNING, where(), "could not be checked: "
                    + e.getMessage(), "Fix the SCHEMA finding first; check that the role may read the queue tables"));
        }
    }

    /** Due jobs waiting longer than the threshold: unserved when nothing picked the entrypoint in that time. */
    private void waiting(DSLContext dsl, List<DoctorFinding> out) {
        Field<OffsetDateTime> since = currentOffsetDateTime().minus(val(DayToSecond.valueOf(options.waitingAfter())));
        var due = dsl.select(PGQUEUER.ENTRYPOINT, count(), min(PGQUEUER.EXECUTE_AFTER), currentOffsetDateTime())
                .from(PGQUEUER)
                .where(PGQUEUER.STATUS.eq(inline(PgqueuerStatus.queued, PGQUEUER.STATUS))
                        .and(PGQUEUER.EXECUTE_AFTER.le(since)))
                .groupBy(PGQUEUER.ENTRYPOINT)
                .fetch();
        if (due.isEmpty()) {
            return;
        }
        List<String> names = due.map(r -> r.value1());
        Set<String> served = new HashSet<>(dsl.selectDistinct(PGQUEUER_LOG.ENTRYPOINT).from(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.STATUS.eq(inline(PgqueuerStatus.picked, PGQUEUER_LOG.STATUS))
                        .and(PGQUEUER_LOG.CREATED.gt(since)).and(PGQUEUER_LOG.ENTRYPOINT.in(names)))
                .fetch(PGQUEUER_LOG.ENTRYPOINT));
        served.addAll(dsl.selectDistinct(PGQUEUER.ENTRYPOINT).from(PGQUEUER) // running now: held slots pick nothing new
                .where(picked().and(PGQUEUER.HEARTBEAT.gt(heartbeatSince())).and(PGQUEUER.ENTRYPOINT.in(names)))
                .fetch(PGQUEUER.ENTRYPOINT));
        for (var r : due) {
            String entrypoint = r.value1();
            Duration waited = Duration.between(r.value3(), r.value4());
            String jobs = r.value2() + " due job" + (r.value2() == 1 ? "" : "s") + " waiting, the oldest for "
                    + human(waited);
            if (served.contains(entrypoint)) {
                out.add(new DoctorFinding(DoctorFinding.Check.BACKLOG, DoctorFinding.Severity.WARNING, entrypoint,
                        jobs + ", although workers picked '" + entrypoint + "' in the last " + human(options.waitingAfter()),
                        "Its workers fall behind: add workers (Java or Python), raise its concurrency limit or the "
                        + "workers' max concurrent jobs, or look at how long its handlers run (pgqj throughput)"));
            } else {
                out.add(new DoctorFinding(DoctorFinding.Check.UNSERVED_ENTRYPOINT, DoctorFinding.Severity.ERROR,
                        entrypoint, jobs + ", and no worker of either language picked one in the last "
                        + human(options.waitingAfter()) + "; pgqueuer leaves them queued for ever",
                        "Start a worker that registers '" + entrypoint + "' (Java: Worker.builder(...).entrypoint(\""
                        + entrypoint + "\", ...) run by pgqj run; Python: @pgq.entrypoint(\"" + entrypoint
                        + "\")), or remove the jobs if nothing should run them (pgqj jobs --entrypoint " + entrypoint
                        + "; QueueAdmin.clear)"));
            }
        }
    }

    /**
     * Disagreeing limits, as the picked rows show them: rows of one entrypoint held with a slot beside rows held
     * without one (a worker with a limit and one without), or a slot at or above the limit this application
     * declares (another worker declared more; pgqueuer lets the highest win).
     */
    private void concurrencyLimits(DSLContext dsl, List<DoctorFinding> out) {
        var picked = dsl.select(PGQUEUER.ENTRYPOINT, count(), count(PGQUEUER.SLOT), max(PGQUEUER.SLOT))
                .from(PGQUEUER)
                .where(picked().and(PGQUEUER.HEARTBEAT.gt(heartbeatSince())))
                .groupBy(PGQUEUER.ENTRYPOINT)
                .orderBy(PGQUEUER.ENTRYPOINT)
                .fetch();
        String advice = "Declare the same limit on every worker that registers it, Java (EntrypointOptions."
                + "concurrencyLimit) and Python (concurrency_limit=...); pgqueuer does not check that they agree";
        for (var r : picked) {
            String entrypoint = r.value1();
            int all = r.value2();
            int slotted = r.value3();
            Integer declared = options.concurrencyLimits().get(entrypoint);
            if (slotted > 0 && slotted < all) {
                out.add(new DoctorFinding(DoctorFinding.Check.CONCURRENCY_LIMIT, DoctorFinding.Severity.WARNING,
                        entrypoint, running(slotted) + " a concurrency slot and " + (all - slotted) + " none: some "
                        + "workers declare a limit for '" + entrypoint + "' and others none, so the limit does not hold",
                        advice));
            } else if (declared != null && slotted > 0 && (r.value4() >= declared || slotted > declared)) {
                out.add(new DoctorFinding(DoctorFinding.Check.CONCURRENCY_LIMIT, DoctorFinding.Severity.WARNING,
                        entrypoint, running(slotted) + " slots up to " + r.value4() + " while this "
                        + "application declares a limit of " + declared + ": another worker declares a higher one, "
                        + "and pgqueuer lets the highest win", advice));
            }
        }
    }

    private void stale(DSLContext dsl, List<DoctorFinding> out) {
        List<StaleJob> stale = QueueInspection.create(tables).staleJobs(dsl, options.staleAfter(), STALE_READ_LIMIT);
        Map<String, List<StaleJob>> byEntrypoint = new TreeMap<>();
        stale.forEach(j -> byEntrypoint.computeIfAbsent(j.entrypoint(), k -> new ArrayList<>()).add(j));
        byEntrypoint.forEach((entrypoint, jobs) -> out.add(new DoctorFinding(DoctorFinding.Check.STALE_PICKED,
                DoctorFinding.Severity.WARNING, entrypoint, (jobs.size() == STALE_READ_LIMIT ? "at least " : "")
                + jobs.size() + " picked job" + (jobs.size() == 1 ? " has" : "s have") + " had no heartbeat for over "
                + human(options.staleAfter()) + " (the oldest for " + human(Duration.ofMillis(
                (long) (jobs.get(0).secondsSinceHeartbeat() * 1000))) + "): their worker died or hangs",
                "A worker of '" + entrypoint + "' re-runs them once their heartbeat is older than its retry timer; "
                + "if none runs, start one, or cancel them (pgqj stale lists them; pgqj cancel ID...)")));
    }

    private void retention(DSLContext dsl, Map<String, TableStats> stats, List<DoctorFinding> out) {
        PgqueuerNames names = tables.names();
        var facts = dsl.select(
                        field(dsl.select(min(PGQUEUER_LOG.CREATED)).from(PGQUEUER_LOG)),
                        field(dsl.select(min(PGQUEUER_STATISTICS.CREATED)).from(PGQUEUER_STATISTICS)),
                        field(exists(selectOne()
                                .from(PGQUEUER_SCHEDULES).where(PGQUEUER_SCHEDULES.ENTRYPOINT.eq(LogRetention.ENTRYPOINT)))),
                        currentOffsetDateTime())
                .fetchSingle();
        if (Boolean.TRUE.equals(facts.value3())) {
            return;
        }
        retained(names.logTable(), facts.value1(), facts.value4(), stats, false, out);
        retained(names.statisticsTable(), facts.value2(), facts.value4(), stats, true, out);
    }

    private void retained(String table, OffsetDateTime oldest, OffsetDateTime now, Map<String, TableStats> stats,
                          boolean statistics, List<DoctorFinding> out) {
        long rows = Optional.ofNullable(stats.get(table)).map(TableStats::live).orElse(0L);
        boolean old = oldest != null && Duration.between(oldest, now).compareTo(options.retentionAge()) > 0;
        if (!old && rows < options.retentionRows()) {
            return;
        }
        out.add(new DoctorFinding(DoctorFinding.Check.RETENTION, DoctorFinding.Severity.WARNING, table,
                "about " + rows + " rows" + (oldest == null ? "" : ", the oldest " + human(Duration.between(oldest, now))
                + " old") + ", and no retention schedule (" + LogRetention.ENTRYPOINT + ") prunes it: "
                + (statistics ? "aggregation adds rows every few seconds per entrypoint" : "every state change of every "
                + "job adds a row, and neither pgqueuer nor a worker deletes one"),
                "Run the retention schedule beside a worker (pgqj run ... --retention 7d" + (statistics
                ? " --retention-statistics" : "") + "; Spring: pgqj.retention.older-than; LogRetention.task), or prune "
                + "once: pgqj prune --older-than 7d" + (statistics ? " --statistics" : "")));
    }

    private void notifyQueue(DSLContext dsl, List<DoctorFinding> out) {
        // a server function with no generated class: plain SQL, nothing from outside in it
        double usage = dsl.select(field("pg_notification_queue_usage()", Double.class)).fetchSingle().value1();
        if (usage < options.notifyWarning()) {
            return;
        }
        out.add(new DoctorFinding(DoctorFinding.Check.NOTIFY_QUEUE, usage >= options.notifyError()
                ? DoctorFinding.Severity.ERROR : DoctorFinding.Severity.WARNING, "server",
                String.format(Locale.ROOT, "the NOTIFY queue is %.4f%% full (pg_notification_queue_usage() = "
                        + "%.6f): a session LISTENs and does not read; when it is full every NOTIFY fails, and with it "
                        + "every enqueue (pgqueuer's trigger notifies)", usage * 100, usage),
                "Find the session that holds it, usually idle in a transaction: SELECT pid, application_name, "
                + "xact_start FROM pg_stat_activity WHERE state LIKE 'idle in transaction%' ORDER BY xact_start; end "
                + "its transaction or pg_terminate_backend(pid)"));
    }

    private void autovacuum(Map<String, TableStats> stats, List<DoctorFinding> out) {
        String table = tables.names().queueTable();
        TableStats s = stats.get(table);
        if (s == null || s.dead() < options.deadRows() || s.dead() <= s.live()) {
            return;
        }
        Optional<Duration> sinceVacuum = s.lastVacuumAge();
        if (sinceVacuum.isPresent() && sinceVacuum.get().compareTo(options.vacuumAge()) <= 0) {
            return;
        }
        out.add(new DoctorFinding(DoctorFinding.Check.AUTOVACUUM, DoctorFinding.Severity.WARNING, table,
                s.dead() + " dead rows beside " + s.live() + " live ones, last vacuumed " + sinceVacuum.map(d -> human(d)
                        + " ago").orElse("never") + ": claims scan the dead rows and slow down",
                "Apply pgqueuer's autovacuum settings (pgqj autovac), look for a long transaction or a replication "
                + "slot holding back cleanup (pg_stat_activity.xact_start), or VACUUM (ANALYZE) the table now"));
    }

    /** One read of the install's tables' upkeep counters. */
    private Map<String, TableStats> tableStats(DSLContext dsl) {
        PgqueuerNames names = tables.names();
        Map<String, TableStats> out = new LinkedHashMap<>();
        // pg_catalog has no generated classes: plain SQL, every value bound
        dsl.resultQuery("SELECT relname, n_live_tup, n_dead_tup, greatest(last_vacuum, last_autovacuum), now() "
                                + "FROM pg_stat_user_tables WHERE schemaname = {0} AND relname IN ({1}, {2}, {3})",
                        val(names.schema()), val(names.queueTable()), val(names.logTable()), val(names.statisticsTable()))
                .fetch()
                .forEach(r -> out.put(r.get(0, String.class), new TableStats(r.get(1, Long.class), r.get(2, Long.class),
                        Optional.ofNullable(r.get(3, OffsetDateTime.class)).map(v -> Duration.between(v, r.get(4, OffsetDateTime.class))))));
        return out;
    }

    private record TableStats(long live, long dead, Optional<Duration> lastVacuumAge) { }

    /** {@code 1 running job holds}, {@code 3 running jobs hold}. */
    private static String running(int n) {
        return n + (n == 1 ? " running job holds" : " running jobs hold");
    }

    private static Condition picked() {
        return PGQUEUER.STATUS.eq(inline(PgqueuerStatus.picked, PGQUEUER.STATUS));
    }

    private Field<OffsetDateTime> heartbeatSince() {
        return currentOffsetDateTime().minus(val(DayToSecond.valueOf(options.staleAfter())));
    }

    private String where() {
        PgqueuerNames n = tables.names();
        return n.schema() + "." + n.queueTable();
    }

    /** 42 s, 12 min, 3 h 5 min, 8 days. */
    static String human(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 120) {
            return s + " s";
        }
        if (s < 7200) {
            return s / 60 + " min";
        }
        if (s < 2 * 86400) {
            return s / 3600 + " h " + (s % 3600) / 60 + " min";
        }
        return s / 86400 + " days";
    }
}
