package org.pgqj.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/**
 * What an operator reads in the application log: one line per failed job (level by outcome, MDC, stack trace),
 * the flood summary, the one line naming the jobs a shutdown timeout leaves behind, and the start-time line
 * about slots of limited entrypoints that other workers hold. Real worker, real PostgreSQL, a logback appender.
 */
@MigratedQueueTest
class WorkerOperatorLogTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static TestDatabase db;
    private TestJobs jobs;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    @BeforeEach
    void jobs(TestJobs jobs) {
        this.jobs = jobs;
    }

    private static Worker.Builder worker(String entrypoint, EntrypointOptions options, JobHandler handler,
                                         WorkerOptions workerOptions) {
        return Worker.builder(db.dataSource(), QueueTables.defaults()).entrypoint(entrypoint, options, handler)
                .options(workerOptions);
    }

    @Test
    void aRetryIsOneWarnLineWithTheJobsFieldsMdcAndStackTrace() throws Exception {
        long id = jobs.enqueue("charge_card", "{}".getBytes(UTF_8));
        AtomicInteger calls = new AtomicInteger();
        EntrypointOptions retryOnce = EntrypointOptions.builder()
                .retryPolicy(RetryPolicy.exponentialBackoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10), 1)).build();
        try (LogCapture log = LogCapture.of(FailureLog.class);
             Worker w = worker("charge_card", retryOnce, (job, ctx) -> {
                 if (calls.incrementAndGet() == 1) {
                     throw new IllegalStateException("card declined");
                 }
             }, TestJobs.fastOptions().build()).build().start()) {
            Await.until("the retry ran", WAIT, () -> calls.get() == 2);
            assertTrue(w.awaitDrained(WAIT));
            List<ILoggingEvent> events = log.events();
            assertEquals(1, events.size(), events::toString);
            ILoggingEvent e = events.getFirst();
            assertEquals(Level.WARN, e.getLevel());
            assertEquals("Job " + id + " (charge_card, attempts 0) failed, retried in 10 ms: "
                    + "java.lang.IllegalStateException: card declined", e.getFormattedMessage());
            assertNotNull(e.getThrowableProxy(), "the stack trace goes to SLF4J as the throwable");
            assertEquals(IllegalStateException.class.getName(), e.getThrowableProxy().getClassName());
            assertTrue(e.getThrowableProxy().getStackTraceElementProxyArray().length > 0);
            assertEquals(String.valueOf(id), e.getMDCPropertyMap().get("pgqj.job_id"));
            assertEquals("charge_card", e.getMDCPropertyMap().get("pgqj.entrypoint"));
            assertEquals("0", e.getMDCPropertyMap().get("pgqj.attempt"));
        }
    }

    @Test
    void aFinalFailureIsErrorAndAHoldIsWarn() throws Exception {
        long lost = jobs.enqueue("ship_order", "{}".getBytes(UTF_8));
        long held = jobs.enqueue("ship_parcel", "{}".getBytes(UTF_8));
        JobHandler fails = (job, ctx) -> {
            throw new UnsupportedOperationException("no carrier for " + job.entrypoint());
        };
        try (LogCapture log = LogCapture.of(FailureLog.class);
             Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                     .entrypoint("ship_order", EntrypointOptions.defaults(), fails)
                     .entrypoint("ship_parcel", EntrypointOptions.builder().onFailure(EntrypointOptions.OnFailure.HOLD)
                             .build(), fails)
                     .options(TestJobs.fastOptions().build()).build().start()) {
            Await.until("both lines", WAIT, () -> log.events().size() == 2);
            ILoggingEvent exception = only(log.events(e -> e.getMDCPropertyMap().get("pgqj.job_id").equals("" + lost)));
            assertEquals(Level.ERROR, exception.getLevel());
            assertEquals("Job " + lost + " (ship_order, attempts 0) failed, exception (final): "
                    + "java.lang.UnsupportedOperationException: no carrier for ship_order", exception.getFormattedMessage());
            assertNotNull(exception.getThrowableProxy());
            ILoggingEvent hold = only(log.events(e -> e.getMDCPropertyMap().get("pgqj.job_id").equals("" + held)));
            assertEquals(Level.WARN, hold.getLevel());
            assertEquals("Job " + held + " (ship_parcel, attempts 0) failed, held (status 'failed', kept for a requeue): "
                    + "java.lang.UnsupportedOperationException: no carrier for ship_parcel", hold.getFormattedMessage());
            assertEquals("ship_parcel", hold.getMDCPropertyMap().get("pgqj.entrypoint"));
            w.awaitDrained(WAIT);
        }
    }

    @Test
    void aFloodLogsTheThresholdThenOneSummaryWhenTheIntervalEndsWithoutAnotherFailure() throws Exception {
        int n = 20;
        CountDownLatch allStarted = new CountDownLatch(n);
        jobs.enqueueMany("flood", n);
        WorkerOptions options = TestJobs.fastOptions().batchSize(n)
                .failureLogging(FailureLogging.defaults().withFlood(3, Duration.ofSeconds(2))).build();
        try (LogCapture log = LogCapture.of(FailureLog.class);
             Worker w = worker("flood", EntrypointOptions.defaults(), (job, ctx) -> {
                 allStarted.countDown();
                 allStarted.await(); // all fail together, inside one interval
                 throw new IllegalStateException("downstream 503 for " + new String(job.payload(), UTF_8));
             }, options).build().start()) {
            assertTrue(w.awaitDrained(WAIT));
            Await.until("the summary, from the writer once the interval ended", WAIT, () -> log.events().size() == 4);
            List<ILoggingEvent> events = log.events();
            assertEquals(3, events.stream().filter(e -> e.getFormattedMessage().startsWith("Job ")).count(), events::toString);
            ILoggingEvent summary = events.getLast();
            assertEquals(Level.ERROR, summary.getLevel());
            assertTrue(summary.getFormattedMessage().matches("17 more failures of flood in the last [23] s \\(not logged "
                    + "one by one\\), last: job \\d+ java.lang.IllegalStateException: downstream 503 for \\d+"),
                    summary.getFormattedMessage());
            assertEquals("flood", summary.getMDCPropertyMap().get("pgqj.entrypoint"));
            Await.holds("no further line", Duration.ofMillis(500), () -> log.events().size() == 4);
        }
    }

    @Test
    void closeEmitsTheSummaryOfAnIntervalNotYetEnded() throws Exception {
        jobs.enqueueMany("burst", 5);
        WorkerOptions options = TestJobs.fastOptions().failureLogging(FailureLogging.defaults()
                .withLevels(FailureLogging.Level.INFO, FailureLogging.Level.WARN).withFlood(2, Duration.ofHours(1))
                .withStackTrace(false)).build();
        try (LogCapture log = LogCapture.of(FailureLog.class)) {
            try (Worker w = worker("burst", EntrypointOptions.defaults(), (job, ctx) -> {
                throw new IllegalArgumentException("bad input");
            }, options).build().start()) {
                assertTrue(w.awaitDrained(WAIT));
                assertEquals(2, log.events().size(), () -> log.events().toString());
                assertTrue(log.events().stream().allMatch(e -> e.getLevel() == Level.WARN && e.getThrowableProxy() == null));
            }
            List<ILoggingEvent> events = log.events();
            assertEquals(3, events.size(), events::toString);
            assertTrue(events.getLast().getFormattedMessage().startsWith("3 more failures of burst in the last "),
                    events.getLast().getFormattedMessage());
        }
    }

    @Test
    void offLogsNothing() throws Exception {
        jobs.enqueueMany("quiet", 3);
        try (LogCapture log = LogCapture.of(FailureLog.class);
             Worker w = worker("quiet", EntrypointOptions.defaults(), (job, ctx) -> {
                 throw new IllegalStateException("expected");
             }, TestJobs.fastOptions().failureLogging(FailureLogging.off()).build()).build().start()) {
            assertTrue(w.awaitDrained(WAIT));
            w.close();
            assertEquals(List.of(), log.events());
            assertEquals(3, jobs.dsl().fetchCount(org.pgqj.codegen.Tables.PGQUEUER_LOG,
                    org.pgqj.codegen.Tables.PGQUEUER_LOG.STATUS.eq(PgqueuerStatus.exception)));
        }
    }

    @Test
    void jobsLeftRunningAtTheShutdownTimeoutAreNamedInOneLine() throws Exception {
        int n = 3;
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ids.add(jobs.enqueue("stubborn", "{}".getBytes(UTF_8)));
        }
        CountDownLatch running = new CountDownLatch(n);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger ended = new AtomicInteger();
        JobHandler ignoresInterrupts = (job, ctx) -> {
            running.countDown();
            try {
                while (true) {
                    try {
                        release.await();
                        return;
                    } catch (InterruptedException ignored) {
                        // a handler that does not stop when told to
                    }
                }
            } finally {
                ended.incrementAndGet();
            }
        };
        try (LogCapture workerLog = LogCapture.of(RunningWorker.class); LogCapture runnerLog = LogCapture.of(JobRunner.class)) {
            Worker w = worker("stubborn", EntrypointOptions.defaults(), ignoresInterrupts,
                    TestJobs.fastOptions().shutdownTimeout(Duration.ofMillis(300)).build()).build().start();
            Await.until("all running", WAIT, () -> running.getCount() == 0);
            w.close();
            List<ILoggingEvent> lines = workerLog.events(e -> e.getFormattedMessage().contains("still running"));
            assertEquals(1, lines.size(), () -> workerLog.events().toString());
            assertEquals(Level.WARN, lines.getFirst().getLevel());
            assertEquals("Worker " + w.id() + " stopped with 3 jobs still running after the 300 ms shutdown timeout; "
                    + "interrupted and left picked for re-run once their heartbeat is stale (heartbeat timeout 30 s, "
                    + "or the entrypoint's retry timer): " + ids
                    + " (entrypoints {stubborn=3})", lines.getFirst().getFormattedMessage());
            release.countDown();
            Await.until("the handlers returned", WAIT, () -> ended.get() == n);
            Await.holds("no line per job after the stop", Duration.ofMillis(300), () -> runnerLog.events().stream()
                    .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.INFO)));
            assertEquals(n, jobs.dsl().fetchCount(PGQUEUER, PGQUEUER.STATUS.eq(PgqueuerStatus.picked)));
        }
    }

    @Test
    void aStartingWorkerNamesTheSlotsOthersHoldOfItsLimitedEntrypointsOnce() throws Exception {
        UUID dead = UUID.randomUUID();
        UUID older = UUID.randomUUID();
        long a = jobs.enqueue("limited", "{}".getBytes(UTF_8));
        long b = jobs.enqueue("limited", "{}".getBytes(UTF_8));
        long c = jobs.enqueue("limited", "{}".getBytes(UTF_8));
        long unlimited = jobs.enqueue("free_for_all", "{}".getBytes(UTF_8));
        pick(a, 1L, dead, Duration.ofSeconds(10));
        pick(b, 2L, dead, Duration.ofSeconds(10));
        pick(c, 3L, older, Duration.ofMinutes(5));
        pick(unlimited, null, dead, Duration.ofSeconds(10));
        CountDownLatch ran = new CountDownLatch(3);
        try (LogCapture log = LogCapture.of(RunningWorker.class);
             Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                     .entrypoint("limited", EntrypointOptions.builder().concurrencyLimit(3).build(), (job, ctx) -> ran.countDown())
                     .entrypoint("free_for_all", EntrypointOptions.defaults(), (job, ctx) -> { })
                     .options(TestJobs.fastOptions().heartbeatTimeout(Duration.ofSeconds(30)).build()).build().start()) {
            List<ILoggingEvent> lines = log.events(e -> e.getFormattedMessage().contains("starts with slots"));
            assertEquals(1, lines.size(), () -> log.events().toString());
            ILoggingEvent line = lines.getFirst();
            assertEquals(Level.WARN, line.getLevel());
            String text = line.getFormattedMessage();
            assertTrue(text.startsWith("Worker " + w.id() + " starts with slots of its limited entrypoints held by picked jobs: "),
                    text);
            var m = java.util.regex.Pattern.compile("limited slots \\[1, 2] by worker " + dead + " \\(heartbeat "
                    + "([\\d.]+) s ago; stale in ([\\d.]+) s, at \\d{4}-[^)]*Z\\)").matcher(text);
            assertTrue(m.find(), text);
            // heartbeat age + time left = the heartbeat timeout, whatever the delay between the insert and the start
            assertEquals(30.0, Double.parseDouble(m.group(1)) + Double.parseDouble(m.group(2)), 0.11, text);
            assertTrue(Double.parseDouble(m.group(1)) >= 10.0, text);
            assertTrue(text.matches(".*limited slots \\[3] by worker " + older
                    + " \\(heartbeat 3\\d\\d(\\.\\d)? s ago; stale now, re-claimable at once\\).*"), text);
            assertTrue(!text.contains("free_for_all"), text);
            // the stale one is re-claimed at once, slot and all; the others once their heartbeat is stale
            Await.until("the stale job ran", WAIT, () -> ran.getCount() == 2);
        }
    }

    @Test
    void slotsOfLiveWorkersThatLeaveRoomAreInfoNotWarn() throws Exception {
        UUID other = UUID.randomUUID();
        long a = jobs.enqueue("limited", "{}".getBytes(UTF_8));
        pick(a, 0L, other, Duration.ofSeconds(1));
        try (LogCapture log = LogCapture.of(RunningWorker.class);
             Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                     .entrypoint("limited", EntrypointOptions.builder().concurrencyLimit(3).build(), (job, ctx) -> { })
                     .options(TestJobs.fastOptions().heartbeatTimeout(Duration.ofSeconds(30)).build()).build().start()) {
            ILoggingEvent line = only(log.events(e -> e.getFormattedMessage().contains("starts with slots")));
            assertEquals(Level.INFO, line.getLevel(), line.getFormattedMessage());
            assertTrue(line.getFormattedMessage().contains("limited slots [0] by worker " + other), line.getFormattedMessage());
        }
    }

    private void pick(long id, Long slot, UUID worker, Duration heartbeatAge) {
        jobs.dsl().update(PGQUEUER).set(PGQUEUER.STATUS, PgqueuerStatus.picked).set(PGQUEUER.SLOT, slot)
                .set(PGQUEUER.QUEUE_MANAGER_ID, worker)
                .set(PGQUEUER.HEARTBEAT, DSL.currentOffsetDateTime().minus(heartbeatAge.toNanos() / 86_400e9))
                .where(PGQUEUER.ID.eq(id)).execute();
    }

    private static ILoggingEvent only(List<ILoggingEvent> events) {
        assertEquals(1, events.size(), events::toString);
        return events.getFirst();
    }
}
