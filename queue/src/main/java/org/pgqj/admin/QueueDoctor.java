package org.pgqj.admin;

import static org.jooq.impl.DSL.count;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.max;
import static org.jooq.impl.DSL.min;
import static org.jooq.impl.DSL.val;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Record4;
import org.jooq.Result;
import org.jooq.exception.DataAccessException;
import org.jooq.types.DayToSecond;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.controls.PauseTable;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.schema.SchemaVerification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Examines an install the way an operator who knows the SQL would, and says what is wrong and what to do: due jobs
 * with no worker of either language connected at all, an entrypoint whose due jobs no live worker picks (pgqueuer
 * leaves them queued forever) or whose workers fall behind, workers of one entrypoint that declare different
 * concurrency limits (as far as the picked rows and the live workers show), stale picked jobs, log and statistics
 * tables that grow with no retention schedule, a schema that drifted from the catalog both languages expect, a
 * filling NOTIFY queue, and autovacuum falling behind on the queue table. {@code pgqj doctor}, the Spring health
 * detail and the dashboard's banner are its faces.
 *
 * <p>Reads only (a few short SELECTs on the queue tables, and {@link QueueInspection#liveWorkers} and
 * {@link QueueInspection#tableHealth} for the sessions and the tables' upkeep); the thresholds are
 * {@link DoctorOptions}. Immutable and thread-safe.
 */
public final class QueueDoctor {

    private static final Logger LOG = LoggerFactory.getLogger(QueueDoctor.class);
    private static final int STALE_READ_LIMIT = 10_000;
    /** Entrypoints named in one finding at most. */
    private static final int MAX_LISTED = 10;

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
        QueueInspection inspection = QueueInspection.create(tables);
        // one read of the sessions and one of the tables' upkeep, shared by the checks that use them
        Optional<LiveWorkers> live = read(DoctorFinding.Check.NO_LIVE_WORKER, out, () -> inspection.liveWorkers(dsl));
        Optional<TableHealth> health = read(DoctorFinding.Check.RETENTION, out, () -> inspection.tableHealth(dsl));
        Map<String, PauseTable.Row> paused = read(DoctorFinding.Check.PAUSED, out,
                () -> PauseTable.read(dsl, tables.names()).orElse(List.of())).orElse(List.of()).stream()
                .collect(Collectors.toMap(PauseTable.Row::entrypoint, r -> r));
        live.ifPresent(l -> run(DoctorFinding.Check.UNSERVED_ENTRYPOINT, out, () -> waiting(dsl, l, paused, out)));
        live.ifPresent(l -> run(DoctorFinding.Check.CONCURRENCY_LIMIT, out, () -> concurrencyLimits(dsl, l, out)));
        run(DoctorFinding.Check.STALE_PICKED, out, () -> stale(inspection, dsl, out));
        health.ifPresent(h -> {
            retention(h, out);
            notifyQueue(h, out);
            autovacuum(h, out);
        });
        out.sort(Comparator.comparing(DoctorFinding::severity).reversed()
                .thenComparing(DoctorFinding::check).thenComparing(DoctorFinding::subject));
        return new DoctorReport(out, at);
    }

    /** A check that cannot read (a table or column missing) is itself a finding, and a log line. */
    private void run(DoctorFinding.Check check, List<DoctorFinding> out, Runnable body) {
        read(check, out, () -> {
            body.run();
            return true;
        });
    }

    private <T> Optional<T> read(DoctorFinding.Check check, List<DoctorFinding> out, Supplier<T> body) {
        try {
            return Optional.of(body.get());
        } catch (DataAccessException e) {
            LOG.warn("Queue doctor: the {} check could not read {}: {}", check, where(), e.getMessage());
            out.add(new DoctorFinding(check, DoctorFinding.Severity.WARNING, where(), "could not be checked: "
                    + e.getMessage(), "Fix the SCHEMA finding first; check that the role may read the queue tables"));
            return Optional.empty();
        }
    }

    /**
     * Due jobs with no live worker at all are an error at once; else due jobs waiting longer than the threshold are
     * unserved when nothing picked their entrypoint in that time, and a backlog when something did.
     */
    private void waiting(DSLContext dsl, LiveWorkers live, Map<String, PauseTable.Row> paused, List<DoctorFinding> out) {
        if (live.workers().isEmpty() && runningUnseen(live).isEmpty()) {
            noLiveWorker(dsl, live, out);
            return;
        }
        Field<OffsetDateTime> since = ago(options.waitingAfter());
        var due = dueJobs(dsl, since);
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
            String jobs = jobs(r.value2()) + " waiting, the oldest for " + human(Duration.between(r.value3(), r.value4()));
            PauseTable.Row pause = paused.get(entrypoint);
            if (pause != null) {
                out.add(new DoctorFinding(DoctorFinding.Check.PAUSED, DoctorFinding.Severity.WARNING, entrypoint,
                        jobs + ": '" + entrypoint + "' is paused for every Java worker, by " + pause.pausedBy()
                        + " for " + human(Duration.between(pause.pausedAt(), r.value4())),
                        "Resume it once its cause is fixed: pgqj resume " + entrypoint + " (QueueAdmin.resume, or the "
                        + "dashboard's workers page). Python workers do not know about pause: one that serves it keeps "
                        + "claiming it"));
                continue;
            }
            if (served.contains(entrypoint)) {
                out.add(new DoctorFinding(DoctorFinding.Check.BACKLOG, DoctorFinding.Severity.WARNING, entrypoint,
                        jobs + ", although workers picked '" + entrypoint + "' in the last " + human(options.waitingAfter()),
                        "Its workers fall behind: add workers (Java or Python), raise its concurrency limit or the "
                        + "workers' max concurrent jobs, or look at how long its handlers run (pgqj throughput)"));
            } else {
                out.add(new DoctorFinding(DoctorFinding.Check.UNSERVED_ENTRYPOINT, DoctorFinding.Severity.ERROR,
                        entrypoint, jobs + ", and no worker of either language picked one in the last "
                        + human(options.waitingAfter()) + "; pgqueuer leaves them queued for ever. Connected now: "
                        + fleet(live) + ", so it is this entrypoint that no worker serves, not the fleet that is down",
                        "Start a worker that registers '" + entrypoint + "' (Java: Worker.builder(...).entrypoint(\""
                        + entrypoint + "\", ...) run by pgqj run; Python: @pgq.entrypoint(\"" + entrypoint
                        + "\")), or remove the jobs if nothing should run them (pgqj jobs --entrypoint " + entrypoint
                        + "; QueueAdmin.clear)"));
            }
        }
    }

    /** Queued jobs due at or before {@code dueBy}, per entrypoint: count, oldest due time, now; most first. */
    private Result<Record4<String, Integer, OffsetDateTime, OffsetDateTime>> dueJobs(
            DSLContext dsl, Field<OffsetDateTime> dueBy) {
        return dsl.select(PGQUEUER.ENTRYPOINT, count(), min(PGQUEUER.EXECUTE_AFTER), currentOffsetDateTime())
                .from(PGQUEUER)
                .where(PGQUEUER.STATUS.eq(inline(PgqueuerStatus.queued, PGQUEUER.STATUS))
                        .and(PGQUEUER.EXECUTE_AFTER.le(dueBy)))
                .groupBy(PGQUEUER.ENTRYPOINT)
                .orderBy(count().desc(), PGQUEUER.ENTRYPOINT)
                .fetch();
    }

    /**
     * Due jobs and not one worker session of either language: nothing will run them, however long they waited. Not
     * said while jobs run under a fresh heartbeat (a worker the session list does not show is at work).
     */
    private void noLiveWorker(DSLContext dsl, LiveWorkers live, List<DoctorFinding> out) {
        var due = dueJobs(dsl, currentOffsetDateTime());
        if (due.isEmpty()) {
            return;
        }
        long total = due.stream().mapToLong(r -> r.value2()).sum();
        List<String> per = due.stream().limit(MAX_LISTED).map(r -> r.value1() + ": " + r.value2()).toList();
        Duration oldest = due.stream().map(r -> Duration.between(r.value3(), r.value4())).max(Duration::compareTo)
                .orElse(Duration.ZERO);
        String hidden = live.hiddenSessions() == 0 ? "" : "; " + live.hiddenSessions() + " session"
                + (live.hiddenSessions() == 1 ? " is" : "s are") + " hidden from this role (another role's), and a "
                + "Python worker among them cannot be recognised";
        out.add(new DoctorFinding(DoctorFinding.Check.NO_LIVE_WORKER, DoctorFinding.Severity.ERROR, where(),
                jobs(total) + " waiting (" + String.join(", ", per) + (due.size() > MAX_LISTED ? ", and "
                + (due.size() - MAX_LISTED) + " more entrypoints" : "") + "; the oldest due for " + human(oldest)
                + ") and no worker session of either language is connected to this database: no Java worker "
                + "(pgqj-listener-...) and no Python pgqueuer worker" + hidden + "; nothing will run them",
                "Start the workers (Java: pgqj run, or your service with its Worker; Python: pgq run ...) and check "
                + "they reach this database (DSN, network, credentials, their logs)"
                + (live.hiddenSessions() == 0 ? "" : "; if they run as another role, grant pg_read_all_stats to the "
                + "role this check reads with (GRANT pg_read_all_stats TO ...), so their sessions can be recognised")
                + "; a Java worker in poll-only mode has no LISTEN connection and is not seen"));
    }

    /** Queue managers with running jobs under a fresh heartbeat that no live Java worker carries. */
    private List<ActiveWorker> runningUnseen(LiveWorkers live) {
        Instant fresh = live.at().minus(options.staleAfter());
        return live.unattributedJobs().stream().filter(a -> a.newestHeartbeat().isAfter(fresh)).toList();
    }

    /** {@code 1 Java worker and 2 Python workers}, or what the session list shows of them. */
    private String fleet(LiveWorkers live) {
        long java = live.count(WorkerLanguage.JAVA);
        long python = live.count(WorkerLanguage.PYTHON);
        String seen = java + " Java worker" + (java == 1 ? "" : "s") + " and " + python + " Python worker"
                + (python == 1 ? "" : "s");
        int unseen = runningUnseen(live).size();
        if (unseen > 0) {
            seen += ", and " + unseen + " queue manager" + (unseen == 1 ? "" : "s") + " whose session is not "
                    + "recognised running jobs";
        }
        return seen;
    }

    /**
     * Disagreeing limits, as the picked rows show them: rows of one entrypoint held with a slot beside rows held
     * without one (a worker with a limit and one without), a slot at or above the limit this application declares
     * (another worker declared more; pgqueuer lets the highest win), or one queue manager running more jobs of a
     * limited entrypoint than the declared limit. Holders are named: a live Java worker by its id, any other queue
     * manager (a Python worker's, whose session does not carry it) by its id.
     */
    private void concurrencyLimits(DSLContext dsl, LiveWorkers live, List<DoctorFinding> out) {
        Map<String, List<Holder>> byEntrypoint = new TreeMap<>();
        dsl.select(PGQUEUER.ENTRYPOINT, PGQUEUER.QUEUE_MANAGER_ID, count(), count(PGQUEUER.SLOT), max(PGQUEUER.SLOT))
                .from(PGQUEUER)
                .where(picked().and(PGQUEUER.HEARTBEAT.gt(heartbeatSince())))
                .groupBy(PGQUEUER.ENTRYPOINT, PGQUEUER.QUEUE_MANAGER_ID)
                .orderBy(PGQUEUER.ENTRYPOINT, PGQUEUER.QUEUE_MANAGER_ID)
                .forEach(r -> byEntrypoint.computeIfAbsent(r.value1(), k -> new ArrayList<>()).add(new Holder(
                        holderName(r.value2(), live), r.value3(), r.value4(),
                        Optional.ofNullable(r.value5()).map(Number::intValue))));
        String advice = "Declare the same limit on every worker that registers it, Java (EntrypointOptions."
                + "concurrencyLimit) and Python (concurrency_limit=...); pgqueuer does not check that they agree";
        byEntrypoint.forEach((entrypoint, holders) -> {
            int all = holders.stream().mapToInt(Holder::jobs).sum();
            int slotted = holders.stream().mapToInt(Holder::slotted).sum();
            int maxSlot = holders.stream().flatMap(h -> h.maxSlot().stream()).max(Integer::compare).orElse(-1);
            Integer declared = options.concurrencyLimits().get(entrypoint);
            List<Holder> over = declared == null ? List.of()
                    : holders.stream().filter(h -> h.jobs() > declared).toList();
            String problem = null;
            if (slotted > 0 && slotted < all) {
                problem = running(slotted) + " a concurrency slot and " + (all - slotted) + " none: some workers "
                        + "declare a limit for '" + entrypoint + "' and others none, so the limit does not hold. With a "
                        + "slot: " + held(holders.stream().filter(h -> h.slotted() > 0).toList(), Holder::slotted)
                        + "; without: " + held(holders.stream().filter(h -> h.slotted() < h.jobs()).toList(),
                        h -> h.jobs() - h.slotted());
            } else if (declared != null && slotted > 0 && (maxSlot >= declared || slotted > declared)) {
                problem = running(slotted) + " slots up to " + maxSlot + " while this application declares a limit of "
                        + declared + ": another worker declares a higher one, and pgqueuer lets the highest win. Running "
                        + "them: " + held(holders, Holder::jobs);
            } else if (!over.isEmpty()) {
                problem = held(over, Holder::jobs) + " of '" + entrypoint + "' at once while this application declares "
                        + "a limit of " + declared + ": " + (over.size() == 1 ? "that worker declares" : "those workers "
                        + "declare") + " a higher limit, or none";
            }
            if (problem != null) {
                out.add(new DoctorFinding(DoctorFinding.Check.CONCURRENCY_LIMIT, DoctorFinding.Severity.WARNING,
                        entrypoint, problem, advice));
            }
        });
    }

    /** A queue manager's picked jobs of one entrypoint. */
    private record Holder(String name, int jobs, int slotted, Optional<Integer> maxSlot) { }

    /** {@code Java worker 1b2c... runs 2, queue manager 3d4e... (a worker not seen live) runs 1}. */
    private static String held(List<Holder> holders, ToIntFunction<Holder> jobs) {
        return String.join(", ", holders.stream().map(h -> h.name() + " runs " + jobs.applyAsInt(h)).toList());
    }

    /** A live Java worker by its id; any other queue manager by its id, which the database cannot tie to a process. */
    private static String holderName(UUID queueManagerId, LiveWorkers live) {
        if (queueManagerId == null) {
            return "a worker without a queue manager id";
        }
        boolean java = live.workers().stream().anyMatch(w -> w.workerId().equals(Optional.of(queueManagerId)));
        return java ? "Java worker " + queueManagerId : "queue manager " + queueManagerId
                + (live.count(WorkerLanguage.PYTHON) > 0 ? " (Python, or a worker not seen live)" : " (a worker not seen live)");
    }

    private void stale(QueueInspection inspection, DSLContext dsl, List<DoctorFinding> out) {
        List<StaleJob> stale = inspection.staleJobs(dsl, options.staleAfter(), STALE_READ_LIMIT);
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

    private void retention(TableHealth health, List<DoctorFinding> out) {
        PgqueuerNames names = tables.names();
        retained(health, names.logTable(), health.oldestLogEntry(), false, out);
        retained(health, names.statisticsTable(), health.oldestStatisticsEntry(), true, out);
    }

    private void retained(TableHealth health, String table, Optional<Instant> oldest, boolean statistics,
                          List<DoctorFinding> out) {
        Optional<TableStats> stats = health.table(table);
        if (!health.growsWithoutRetention(stats, oldest, options.retentionAge(), options.retentionRows())) {
            return;
        }
        long rows = stats.map(TableStats::rows).orElse(0L);
        out.add(new DoctorFinding(DoctorFinding.Check.RETENTION, DoctorFinding.Severity.WARNING, table,
                "about " + rows + " rows" + oldest.map(o -> ", the oldest " + human(Duration.between(o, health.at()))
                + " old").orElse("") + ", and no retention schedule (" + LogRetention.ENTRYPOINT + ") prunes it: "
                + (statistics ? "aggregation adds rows every few seconds per entrypoint" : "every state change of every "
                + "job adds a row, and neither pgqueuer nor a worker deletes one"),
                "Run the retention schedule beside a worker (pgqj run ... --retention 7d" + (statistics
                ? " --retention-statistics" : "") + "; Spring: pgqj.retention.older-than; LogRetention.task), or prune "
                + "once: pgqj prune --older-than 7d" + (statistics ? " --statistics" : "")));
    }

    private void notifyQueue(TableHealth health, List<DoctorFinding> out) {
        double usage = health.notificationQueueUsage();
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

    private void autovacuum(TableHealth health, List<DoctorFinding> out) {
        String table = tables.names().queueTable();
        Optional<TableStats> found = health.table(table);
        if (found.isEmpty()) {
            return;
        }
        TableStats s = found.get();
        if (s.deadRows() < options.deadRows() || s.deadRows() <= s.liveRows()) {
            return;
        }
        Optional<Duration> sinceVacuum = s.lastVacuumed().map(v -> Duration.between(v, health.at()));
        if (sinceVacuum.isPresent() && sinceVacuum.get().compareTo(options.vacuumAge()) <= 0) {
            return;
        }
        out.add(new DoctorFinding(DoctorFinding.Check.AUTOVACUUM, DoctorFinding.Severity.WARNING, table,
                s.deadRows() + " dead rows beside " + s.liveRows() + " live ones, last vacuumed " + sinceVacuum.map(d -> human(d)
                        + " ago").orElse("never") + ": claims scan the dead rows and slow down",
                "Apply pgqueuer's autovacuum settings (pgqj autovac), look for a long transaction or a replication "
                + "slot holding back cleanup (pg_stat_activity.xact_start), or VACUUM (ANALYZE) the table now"));
    }

    /** {@code 1 due job}, {@code 3 due jobs}. */
    private static String jobs(long n) {
        return n + " due job" + (n == 1 ? "" : "s");
    }

    /** {@code 1 running job holds}, {@code 3 running jobs hold}. */
    private static String running(int n) {
        return n + (n == 1 ? " running job holds" : " running jobs hold");
    }

    private static Condition picked() {
        return PGQUEUER.STATUS.eq(inline(PgqueuerStatus.picked, PGQUEUER.STATUS));
    }

    private Field<OffsetDateTime> heartbeatSince() {
        return ago(options.staleAfter());
    }

    private static Field<OffsetDateTime> ago(Duration d) {
        return currentOffsetDateTime().minus(val(DayToSecond.valueOf(d)));
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
