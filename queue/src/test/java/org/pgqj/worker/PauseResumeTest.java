package org.pgqj.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;

import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.admin.PauseResult;
import org.pgqj.admin.PausedEntrypoint;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.ControlsSchema;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Pause and resume an entrypoint (issue 29): fleet-wide through {@link QueueAdmin} (pgqj's own table, pgqj's own
 * NOTIFY channel) and in code on one worker. Real workers, real PostgreSQL, real LISTEN/NOTIFY.
 */
@MigratedQueueTest
class PauseResumeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration QUIET = Duration.ofSeconds(1);
    private static final QueueAdmin ADMIN = QueueAdmin.create(QueueTables.defaults());
    private static TestDatabase db;
    private TestJobs jobs;
    /** Jobs run per entrypoint, by worker. */
    private final Map<String, AtomicInteger> ran = new ConcurrentHashMap<>();

    @BeforeAll
    static void controls(TestDatabase database, TestJobs migrated) { // taking the TestJobs migrates pgqueuer's schema first
        db = database;
        ControlsSchema.forDataSource(db.dataSource()).install();
    }

    @BeforeEach
    void clean(TestJobs jobs) {
        this.jobs = jobs;
        ADMIN.pausedEntrypoints(jobs.dsl()).forEach(p -> resume(p.entrypoint()));
    }

    private PauseResult pause(String entrypoint) {
        return jobs.dsl().transactionResult(cfg -> ADMIN.pause(DSL.using(cfg), entrypoint, "test operator"));
    }

    private PauseResult resume(String entrypoint) {
        return jobs.dsl().transactionResult(cfg -> ADMIN.resume(DSL.using(cfg), entrypoint, "test operator"));
    }

    private int ran(String key) {
        return ran.computeIfAbsent(key, k -> new AtomicInteger()).get();
    }

    private JobHandler counting(String key) {
        return (job, ctx) -> ran.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
    }

    private int queued(String entrypoint) {
        return jobs.dsl().fetchCount(PGQUEUER, PGQUEUER.ENTRYPOINT.eq(entrypoint)
                .and(PGQUEUER.STATUS.eq(PgqueuerStatus.queued)));
    }

    /** Enqueue through the public API, as an application does while the entrypoint is paused. */
    private void enqueue(String entrypoint, int count) {
        JobQueue queue = JobQueue.create(QueueTables.defaults());
        for (int i = 0; i < count; i++) {
            queue.enqueue(jobs.dsl(), NewJob.of(entrypoint, "{}".getBytes(UTF_8)));
        }
    }

    private Worker worker(String name, WorkerOptions.Builder options) {
        return Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("mail", EntrypointOptions.defaults(), counting("mail@" + name))
                .entrypoint("report", EntrypointOptions.defaults(), counting("report@" + name))
                .options(options.dequeueTimeout(Duration.ofSeconds(1)).shutdownTimeout(Duration.ofSeconds(5)).build())
                .build();
    }

    @Test
    void aFleetPauseStopsTwoWorkersWhileTheOtherEntrypointDrainsAndEnqueueGoesOn() throws Exception {
        try (Worker a = worker("a", WorkerOptions.builder()).start();
             Worker b = worker("b", WorkerOptions.builder()).start()) {
            PauseResult paused = pause("mail");
            assertTrue(paused.paused() && paused.changed(), paused.toString());
            assertTrue(paused.pythonNotice().isEmpty(), "no Python worker in sight: " + paused);
            Await.until("both workers heard of the pause", WAIT,
                    () -> a.pausedEntrypoints().equals(Set.of("mail")) && b.pausedEntrypoints().equals(Set.of("mail")));

            enqueue("mail", 20);
            enqueue("report", 20);
            Await.until("report drained on both workers", WAIT, () -> ran("report@a") + ran("report@b") == 20);
            Await.holds("no mail claimed while paused", QUIET, () -> ran("mail@a") + ran("mail@b") == 0);
            assertEquals(20, queued("mail"), "enqueue goes on while paused: every mail job waits, queued");

            List<PausedEntrypoint> listed = ADMIN.pausedEntrypoints(jobs.dsl());
            assertEquals(List.of("mail"), listed.stream().map(PausedEntrypoint::entrypoint).toList());
            assertEquals("test operator", listed.getFirst().pausedBy());
            assertFalse(pause("mail").changed(), "a second pause changes nothing");

            assertTrue(resume("mail").changed());
            Await.until("mail drained after the resume", WAIT, () -> ran("mail@a") + ran("mail@b") == 20);
            assertEquals(Set.of(), a.pausedEntrypoints());
            assertFalse(resume("mail").changed(), "resuming what is not paused changes nothing");
        }
    }

    @Test
    void thePauseSurvivesARestartAndAWorkerStartedWhilePausedStaysOffIt() throws Exception {
        pause("mail");
        try (Worker first = worker("first", WorkerOptions.builder()).start()) {
            enqueue("mail", 3);
            enqueue("report", 1);
            Await.until("report ran", WAIT, () -> ran("report@first") == 1);
            Await.holds("mail not claimed", QUIET, () -> ran("mail@first") == 0);
        }
        try (LogCapture log = LogCapture.of(Pauses.class);
             Worker restarted = worker("restarted", WorkerOptions.builder()).start()) {
            enqueue("report", 1);
            Await.until("the restarted worker runs report", WAIT, () -> ran("report@restarted") == 1);
            Await.holds("the restarted worker stays off mail", QUIET, () -> ran("mail@restarted") == 0);
            assertEquals(Set.of("mail"), restarted.pausedEntrypoints());
            assertEquals(3, queued("mail"));
            assertTrue(log.events().stream().map(ILoggingEvent::getFormattedMessage).anyMatch(m -> m.equals("Worker "
                    + restarted.id() + ": entrypoint 'mail' paused for every Java worker by test operator; claims none "
                    + "of its jobs")), "the worker logs the pause it starts under: " + messages(log));
        }
    }

    @Test
    void aResumeIsPickedUpAtOnceFromItsNotificationNotAPoll() throws Exception {
        // a claim only every 10 minutes and a pause re-read as rarely: only the notification can explain a quick claim
        WorkerOptions.Builder slow = WorkerOptions.builder().pauseRecheckInterval(Duration.ofMinutes(10));
        try (LogCapture log = LogCapture.of(Pauses.class);
             Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                     .entrypoint("mail", EntrypointOptions.defaults(), counting("mail"))
                     .options(slow.dequeueTimeout(Duration.ofMinutes(10)).shutdownTimeout(Duration.ofSeconds(5)).build())
                     .build().start()) {
            Await.until("listening", WAIT, w::isListening);
            pause("mail");
            Await.until("the pause arrived by notification", WAIT, () -> w.pausedEntrypoints().contains("mail"));
            enqueue("mail", 1); // its table_changed_event wakes the claim loop, which leaves mail out
            Await.holds("not claimed while paused", QUIET, () -> ran("mail") == 0);

            long resumed = System.nanoTime();
            resume("mail");
            Await.until("claimed after the resume", Duration.ofSeconds(10), () -> ran("mail") == 1);
            Duration took = Duration.ofNanos(System.nanoTime() - resumed);
            assertTrue(took.compareTo(Duration.ofMinutes(1)) < 0, "far below the 10-minute poll: " + took);
            assertTrue(messages(log).contains("Worker " + w.id() + ": entrypoint 'mail' resumed for every Java worker"),
                    messages(log).toString());
        }
    }

    @Test
    void runningJobsFinishWhenTheirEntrypointIsPaused() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger finished = new AtomicInteger();
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("mail", EntrypointOptions.defaults(), (job, ctx) -> {
                    started.countDown();
                    release.await();
                    finished.incrementAndGet();
                })
                .options(WorkerOptions.builder().dequeueTimeout(Duration.ofSeconds(1)).build()).build().start()) {
            long id = jobs.enqueue("mail", "{}".getBytes(UTF_8));
            assertTrue(started.await(30, TimeUnit.SECONDS));
            pause("mail");
            Await.until("paused", WAIT, () -> w.pausedEntrypoints().contains("mail"));
            enqueue("mail", 1);
            release.countDown();
            Await.until("the running job finished", WAIT,
                    () -> jobs.logStatuses(id).contains(PgqueuerStatus.successful));
            Await.holds("the queued one waits", QUIET, () -> finished.get() == 1 && queued("mail") == 1);
        }
    }

    @Test
    void aPauseInCodeStopsOneWorkerOnlyAndAddsUpWithTheFleetPause() throws Exception {
        try (Worker a = worker("a", WorkerOptions.builder());
             Worker b = worker("b", WorkerOptions.builder()).start()) {
            assertTrue(a.pause("mail"), "callable before start");
            a.start();
            enqueue("mail", 10);
            Await.until("b runs every mail job", WAIT, () -> ran("mail@b") == 10);
            assertEquals(0, ran("mail@a"));
            assertEquals(Set.of("mail"), a.pausedEntrypoints());
            assertEquals(Set.of(), b.pausedEntrypoints());

            pause("mail");
            resume("mail");
            Await.until("b heard the fleet resume", WAIT, () -> b.pausedEntrypoints().isEmpty());
            b.pause("mail");
            enqueue("mail", 1);
            Await.holds("a fleet resume leaves a's own pause; b paused itself", QUIET,
                    () -> ran("mail@a") == 0 && ran("mail@b") == 10);
            assertTrue(a.resume("mail"));
            assertFalse(a.resume("mail"));
            Await.until("a claims at once after its resume in code", WAIT, () -> ran("mail@a") == 1);
            WorkerException unknown = assertThrows(WorkerException.class, () -> a.pause("nope"));
            assertTrue(unknown.getMessage().contains("does not register entrypoint 'nope'"), unknown.getMessage());
        }
    }

    @Test
    void withoutTheControlTablesWorkersRunEverythingAndPauseNamesTheInstallStep() throws Exception {
        QueueTables bare = QueueTables.of(new PgqueuerNames("bare_", PgqueuerNames.DEFAULT_SCHEMA));
        PgqueuerSchema.forDataSource(db.dataSource()).names(bare.names()).migrate();
        QueueAdmin admin = QueueAdmin.create(bare);
        AtomicInteger ran = new AtomicInteger();
        try (LogCapture log = LogCapture.of(Pauses.class);
             Worker w = Worker.builder(db.dataSource(), bare)
                     .entrypoint("mail", EntrypointOptions.defaults(), (job, ctx) -> ran.incrementAndGet())
                     .options(WorkerOptions.builder().dequeueTimeout(Duration.ofSeconds(1))
                             .pauseRecheckInterval(Duration.ofMillis(200)).build())
                     .build().start()) {
            JobQueue.create(bare).enqueue(jobs.dsl(), NewJob.of("mail", "{}".getBytes(UTF_8)));
            Await.until("the job ran", WAIT, () -> ran.get() == 1);
            // five re-reads at 200 ms: still the one line of the start
            Await.holds("one INFO line, not one per re-read", QUIET, () -> missingLines(log) == 1);
            assertTrue(admin.pausedEntrypoints(jobs.dsl()).isEmpty());
            assertFalse(admin.controlsInstalled(jobs.dsl()));
            PgqjException e = assertThrows(PgqjException.class, () -> admin.pause(jobs.dsl(), "mail", "ops"));
            assertTrue(e.getMessage().contains("pgqj install --controls") && e.getMessage().contains("public.bare_pgqj_paused_entrypoints"),
                    e.getMessage());
        }
    }

    @Test
    void aWorkerWhoseRoleCannotReadThePausesClaimsNothingAndNamesTheGrant() throws Exception {
        pause("mail");
        String role = "pgqj_nopause_" + Long.toHexString(System.nanoTime());
        sql("CREATE ROLE " + role + " LOGIN");
        try {
            sql("GRANT USAGE ON SCHEMA public TO " + role);
            sql("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO " + role);
            sql("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO " + role);
            sql("REVOKE ALL ON public.pgqj_paused_entrypoints FROM " + role);
            PGSimpleDataSource restricted = new PGSimpleDataSource();
            restricted.setURL(db.jdbcUrl());
            restricted.setUser(role);
            restricted.setPassword(db.password());
            enqueue("mail", 1);
            enqueue("report", 1);
            try (LogCapture log = LogCapture.of(Pauses.class);
                 Worker w = Worker.builder(restricted, QueueTables.defaults())
                         .entrypoint("mail", EntrypointOptions.defaults(), counting("mail"))
                         .entrypoint("report", EntrypointOptions.defaults(), counting("report"))
                         .options(WorkerOptions.builder().dequeueTimeout(Duration.ofSeconds(1)).build()).build().start()) {
                Await.until("the failed read is reported", WAIT, () -> messages(log).stream().anyMatch(m ->
                        m.contains("its role needs SELECT on public.pgqj_paused_entrypoints")
                                && m.contains("claims nothing until it can")));
                Await.holds("nothing claimed, not even what is not paused", QUIET,
                        () -> ran("mail") == 0 && ran("report") == 0);
                assertEquals(1, messages(log).stream().filter(m -> m.contains("cannot read the paused")).count(),
                        "one line per outage, not one per retry");
                sql("GRANT SELECT ON public.pgqj_paused_entrypoints TO " + role);
                Await.until("report runs once the pauses are read", WAIT, () -> ran("report") == 1);
                assertEquals(Set.of("mail"), w.pausedEntrypoints());
                Await.holds("mail stays paused", QUIET, () -> ran("mail") == 0);
            }
        } finally {
            sql("DROP OWNED BY " + role);
            sql("DROP ROLE " + role);
        }
    }

    private static void sql(String statement) {
        QueueTables.defaults().dsl(db.dataSource()).execute(statement);
    }

    private static List<String> messages(LogCapture log) {
        return log.events().stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    private static long missingLines(LogCapture log) {
        return messages(log).stream().filter(m -> m.contains("control tables are not installed")).count();
    }
}
