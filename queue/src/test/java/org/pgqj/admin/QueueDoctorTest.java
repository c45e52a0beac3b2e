package org.pgqj.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.admin.DoctorFinding.Check;
import org.pgqj.admin.DoctorFinding.Severity;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * Each finding of the doctor, staged on a real database: rows in the states a failing fleet leaves behind, a
 * dropped index, a listener that stops reading, dead rows autovacuum may not remove, and real Java workers (one
 * serving another entrypoint, one running more jobs than the declared limit). Table-wide findings get an
 * install of their own (a prefix), so the stagings do not see each other. The fleet findings with real Python and
 * Java workers are in the interop suite ({@code DoctorInteropTest}).
 */
@ExtendWith(PostgresExtension.class)
class QueueDoctorTest {

    private static final QueueTables TABLES = QueueTables.defaults();

    @BeforeAll
    static void migrate(TestDatabase db) {
        PgqueuerSchema.forDataSource(db.dataSource()).migrate();
    }

    private static QueueTables install(TestDatabase db, String prefix) {
        PgqueuerSchema.forDataSource(db.dataSource()).prefix(prefix).migrate();
        return QueueTables.of(new PgqueuerNames(prefix, "public"));
    }

    @Test
    void aHealthyInstallHasNothingToSay(TestDatabase db) {
        QueueTables fine = install(db, "fine_");
        // no worker is connected, but no job is due either
        JobQueue.create(fine).enqueue(fine.dsl(db.dataSource()), NewJob.builder("later").delay(Duration.ofHours(1)).build());
        DoctorReport report = QueueDoctor.create(fine).examine(db.dataSource());
        assertEquals(List.of(), report.findings());
        assertEquals(0, report.exitCode());
    }

    @Test
    void dueJobsWithNoWorkerConnectedAtAllAreOneErrorAtOnce(TestDatabase db) throws SQLException {
        QueueTables t = install(db, "idle_");
        JobQueue queue = JobQueue.create(t);
        for (String entrypoint : List.of("send_welcome", "send_welcome", "index_article")) {
            queue.enqueue(t.dsl(db.dataSource()), NewJob.of(entrypoint, new byte[0])); // due now, not 5 min ago
        }
        queue.enqueue(t.dsl(db.dataSource()), NewJob.builder("later").delay(Duration.ofHours(1)).build());
        DoctorReport report = QueueDoctor.create(t).examine(db.dataSource());
        DoctorFinding none = only(report, Check.NO_LIVE_WORKER);
        assertEquals(Severity.ERROR, none.severity());
        assertEquals("public.idle_pgqueuer", none.subject());
        assertTrue(none.problem().startsWith("3 due jobs waiting (send_welcome: 2, index_article: 1; the oldest due for "),
                none.problem());
        assertTrue(none.problem().contains("and no worker session of either language is connected to this database: "
                + "no Java worker (pgqj-listener-...) and no Python pgqueuer worker; nothing will run them"), none.problem());
        assertTrue(none.advice().startsWith("Start the workers (Java: pgqj run"), none.advice());
        assertFalse(none.advice().contains("pg_read_all_stats"), "every session is visible to the superuser");
        assertEquals(List.of(), all(report, Check.UNSERVED_ENTRYPOINT), "one finding for the fleet, not one per entrypoint");
        assertEquals(2, report.exitCode());
    }

    @Test
    void dueJobsNobodyPicksAreAnErrorAndAFallingBehindEntrypointAWarning(TestDatabase db) throws Exception {
        QueueTables t = install(db, "unserved_"); // no other test's running jobs
        JobQueue queue = JobQueue.create(t);
        for (String entrypoint : List.of("nobody_serves", "nobody_serves", "falls_behind", "fresh_enough")) {
            queue.enqueue(t.dsl(db.dataSource()), NewJob.of(entrypoint, new byte[0]));
        }
        sql(db, "UPDATE unserved_pgqueuer SET execute_after = now() - interval '10 minutes' "
                        + "WHERE entrypoint IN ('nobody_serves', 'falls_behind')",
                // a worker picked one of falls_behind a minute ago
                "INSERT INTO unserved_pgqueuer_log (job_id, status, entrypoint, priority, created) "
                        + "VALUES (0, 'picked', 'falls_behind', 0, now() - interval '1 minute')");
        // a live Java worker that serves something else: the fleet is up, the entrypoint is not served
        try (Worker worker = Worker.builder(db.dataSource(), t)
                .entrypoint("something_else", EntrypointOptions.defaults(), (job, ctx) -> { }).build().start()) {
            Await.until("the worker is live", Duration.ofSeconds(10), worker::isListening);
            DoctorReport report = QueueDoctor.create(t).examine(db.dataSource());

            assertEquals(List.of(), all(report, Check.NO_LIVE_WORKER));
            DoctorFinding unserved = only(report, Check.UNSERVED_ENTRYPOINT);
            assertEquals(Severity.ERROR, unserved.severity());
            assertEquals("nobody_serves", unserved.subject());
            assertEquals("2 due jobs waiting, the oldest for 10 min, and no worker of either language picked one in the "
                    + "last 5 min; pgqueuer leaves them queued for ever. Connected now: 1 Java worker and 0 Python "
                    + "workers, so it is this entrypoint that no worker serves, not the fleet that is down",
                    unserved.problem());
            assertTrue(unserved.advice().contains("@pgq.entrypoint(\"nobody_serves\")"), unserved.advice());
            DoctorFinding behind = only(report, Check.BACKLOG);
            assertEquals("falls_behind", behind.subject());
            assertEquals(Severity.WARNING, behind.severity());
            assertEquals(2, report.exitCode());
            assertEquals(Severity.ERROR, report.findings().get(0).severity(), "errors first");
        }
    }

    @Test
    void aLiveJavaWorkerRunningMoreJobsOfAnEntrypointThanTheDeclaredLimit(TestDatabase db) throws Exception {
        QueueTables t = install(db, "lim_");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(3);
        // this worker declares no limit for 'render'; the application examining says 2
        try (Worker worker = Worker.builder(db.dataSource(), t)
                .entrypoint("render", EntrypointOptions.defaults(), (job, ctx) -> {
                    started.countDown();
                    release.await(60, TimeUnit.SECONDS);
                })
                .options(WorkerOptions.builder().maxConcurrentJobs(3).build()).build().start()) {
            try {
                Await.until("the worker is live", Duration.ofSeconds(10), worker::isListening);
                List<NewJob> jobs = List.of(NewJob.of("render", new byte[0]), NewJob.of("render", new byte[0]),
                        NewJob.of("render", new byte[0]));
                JobQueue.create(t).enqueueAll(t.dsl(db.dataSource()), jobs);
                assertTrue(started.await(30, TimeUnit.SECONDS), "the worker runs the three jobs");
                DoctorReport report = QueueDoctor.create(t, DoctorOptions.builder().concurrencyLimit("render", 2).build())
                        .examine(db.dataSource());
                DoctorFinding limit = only(report, Check.CONCURRENCY_LIMIT);
                assertEquals("render", limit.subject());
                assertEquals("Java worker " + worker.id() + " runs 3 of 'render' at once while this application "
                        + "declares a limit of 2: that worker declares a higher limit, or none", limit.problem());
                assertEquals(List.of(), QueueDoctor.create(t, DoctorOptions.builder().concurrencyLimit("render", 3)
                        .build()).examine(db.dataSource()).findings(), "within the limit: nothing to say");
            } finally {
                release.countDown(); // before the worker's close, which waits for its running handlers
            }
        }
    }

    @Test
    void concurrencyLimitsThatDisagreeShowInThePickedRows(TestDatabase db) throws SQLException {
        JobQueue queue = JobQueue.create(TABLES);
        for (int i = 0; i < 3; i++) {
            queue.enqueue(TABLES.dsl(db.dataSource()), NewJob.of("mixed_limits", new byte[0]));
            queue.enqueue(TABLES.dsl(db.dataSource()), NewJob.of("over_limit", new byte[0]));
            queue.enqueue(TABLES.dsl(db.dataSource()), NewJob.of("agreed", new byte[0]));
        }
        // picked as workers leave them: a limited worker's rows carry slots 0.., an unlimited one's none
        sql(db, "UPDATE pgqueuer p SET status = 'picked', heartbeat = now(), queue_manager_id = gen_random_uuid(), "
                + "slot = CASE WHEN entrypoint = 'mixed_limits' AND s.n = 3 THEN NULL "
                + "WHEN entrypoint = 'agreed' AND s.n = 3 THEN NULL ELSE s.n - 1 END "
                + "FROM (SELECT id, row_number() OVER (PARTITION BY entrypoint ORDER BY id) AS n FROM pgqueuer) s "
                + "WHERE s.id = p.id AND p.entrypoint IN ('mixed_limits', 'over_limit', 'agreed') "
                + "AND (p.entrypoint <> 'agreed' OR s.n < 3)");
        DoctorReport report = QueueDoctor.create(TABLES, DoctorOptions.builder()
                .concurrencyLimit("over_limit", 2).concurrencyLimit("agreed", 2).build()).examine(db.dataSource());
        List<DoctorFinding> found = all(report, Check.CONCURRENCY_LIMIT);
        assertEquals(List.of("mixed_limits", "over_limit"), found.stream().map(DoctorFinding::subject).toList());
        // each row has a queue manager of its own, none of them a live Java worker
        assertTrue(found.get(0).problem().matches("2 running jobs hold a concurrency slot and 1 none: some workers "
                + "declare a limit for 'mixed_limits' and others none, so the limit does not hold\\. With a slot: "
                + "queue manager \\S+ \\(a worker not seen live\\) runs 1, queue manager \\S+ \\(a worker not seen "
                + "live\\) runs 1; without: queue manager \\S+ \\(a worker not seen live\\) runs 1"), found.get(0).problem());
        assertTrue(found.get(1).problem().startsWith("3 running jobs hold slots up to 2 while this application declares "
                + "a limit of 2: another worker declares a higher one, and pgqueuer lets the highest win. Running them: "
                + "queue manager "), found.get(1).problem());
    }

    @Test
    void picksWithoutAHeartbeatAreStale(TestDatabase db) throws SQLException {
        JobQueue.create(TABLES).enqueue(TABLES.dsl(db.dataSource()), NewJob.of("died_under", new byte[0]));
        sql(db, "UPDATE pgqueuer SET status = 'picked', heartbeat = now() - interval '20 minutes', "
                + "queue_manager_id = gen_random_uuid() WHERE entrypoint = 'died_under'");
        DoctorFinding stale = only(QueueDoctor.create(TABLES).examine(db.dataSource()), Check.STALE_PICKED);
        assertEquals("died_under", stale.subject());
        assertTrue(stale.problem().startsWith("1 picked job has had no heartbeat for over 5 min (the oldest for 20 min)"),
                stale.problem());
    }

    @Test
    void logAndStatisticsGrowingWithoutRetention(TestDatabase db) throws SQLException {
        QueueTables t = install(db, "ret_");
        sql(db, "INSERT INTO ret_pgqueuer_log (job_id, status, entrypoint, priority, created) "
                        + "VALUES (1, 'queued', 'x', 0, now() - interval '8 days')",
                "INSERT INTO ret_pgqueuer_statistics (created, count, priority, status, entrypoint) "
                        + "VALUES (now() - interval '9 days', 1, 0, 'successful', 'x')");
        List<DoctorFinding> found = all(QueueDoctor.create(t).examine(db.dataSource()), Check.RETENTION);
        assertEquals(List.of("ret_pgqueuer_log", "ret_pgqueuer_statistics"), found.stream().map(DoctorFinding::subject).toList());
        assertTrue(found.get(0).problem().contains("the oldest 8 days old, and no retention schedule (pgqj_retention)"),
                found.get(0).problem());
        assertTrue(found.get(1).advice().endsWith("pgqj prune --older-than 7d --statistics"), found.get(1).advice());

        sql(db, "INSERT INTO ret_pgqueuer_schedules (expression, entrypoint, next_run) "
                + "VALUES ('17 * * * *', 'pgqj_retention', now() + interval '1 hour')");
        assertEquals(List.of(), all(QueueDoctor.create(t).examine(db.dataSource()), Check.RETENTION));
    }

    @Test
    void aSchemaThatDriftedOrIsMissing(TestDatabase db) throws SQLException {
        QueueTables drifted = install(db, "drift_");
        sql(db, "DROP INDEX drift_pgqueuer_statistics_created");
        DoctorFinding drift = only(QueueDoctor.create(drifted).examine(db.dataSource()), Check.SCHEMA);
        assertEquals(Severity.ERROR, drift.severity());
        assertEquals("the schema lacks index public.drift_pgqueuer_statistics_created", drift.problem());
        assertTrue(drift.advice().startsWith("Bring it to the catalog both languages expect: pgqj upgrade"));

        DoctorReport absent = QueueDoctor.create(QueueTables.of(new PgqueuerNames("none_", "public"))).examine(db.dataSource());
        assertEquals(1, absent.findings().size());
        assertEquals("the pgqueuer schema is not installed", absent.findings().get(0).problem());
        assertEquals(2, absent.exitCode());
    }

    @Test
    void aListenerThatStopsReadingFillsTheNotifyQueue(TestDatabase db) throws Exception {
        try (Connection holder = db.dataSource().getConnection(); Connection sender = db.dataSource().getConnection()) {
            try (Statement s = holder.createStatement()) {
                s.execute("LISTEN pgqj_doctor_test");
            }
            holder.setAutoCommit(false); // idle in a transaction: it reads no notification until it ends
            try (Statement s = holder.createStatement()) {
                s.execute("SELECT 1");
            }
            try (Statement s = sender.createStatement()) {
                s.execute("SELECT pg_notify('pgqj_doctor_test', repeat('x', 1000) || g) FROM generate_series(1, 200) g");
            }
            QueueDoctor doctor = QueueDoctor.create(TABLES, DoctorOptions.builder().notifyThresholds(1e-6, 0.5).build());
            DoctorFinding full = only(doctor.examine(db.dataSource()), Check.NOTIFY_QUEUE);
            assertEquals(Severity.WARNING, full.severity());
            assertTrue(full.problem().startsWith("the NOTIFY queue is "), full.problem());
            assertTrue(full.advice().contains("idle in transaction"), full.advice());
            holder.rollback();
        }
    }

    @Test
    void deadRowsThatAutovacuumLeaves(TestDatabase db) throws Exception {
        QueueTables t = install(db, "vac_");
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            jobs.add(NewJob.of("churn", new byte[0]));
        }
        JobQueue.create(t).enqueueAll(t.dsl(db.dataSource()), jobs);
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("ALTER TABLE vac_pgqueuer SET (autovacuum_enabled = false)");
            s.execute("DELETE FROM vac_pgqueuer");
            s.execute("SELECT pg_stat_force_next_flush()");
        }
        QueueDoctor doctor = QueueDoctor.create(t, DoctorOptions.builder().autovacuum(1_000, Duration.ofMinutes(10)).build());
        Await.until("the statistics show the dead rows", Duration.ofSeconds(30),
                () -> !all(doctor.examine(db.dataSource()), Check.AUTOVACUUM).isEmpty());
        DoctorFinding vac = only(doctor.examine(db.dataSource()), Check.AUTOVACUUM);
        assertEquals("vac_pgqueuer", vac.subject());
        assertEquals("2000 dead rows beside 0 live ones, last vacuumed never: claims scan the dead rows and slow down",
                vac.problem());
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute("VACUUM vac_pgqueuer");
        }
        Await.until("a vacuum clears it", Duration.ofSeconds(30),
                () -> all(doctor.examine(db.dataSource()), Check.AUTOVACUUM).isEmpty());
    }

    private static List<DoctorFinding> all(DoctorReport report, Check check) {
        return report.findings().stream().filter(f -> f.check() == check).toList();
    }

    private static DoctorFinding only(DoctorReport report, Check check) {
        List<DoctorFinding> found = all(report, check);
        assertEquals(1, found.size(), () -> check + " in " + report.findings());
        return found.get(0);
    }

    private static void sql(TestDatabase db, String... statements) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
            for (String statement : statements) {
                s.execute(statement);
            }
        }
    }
}
