package org.pgqj.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/**
 * Per-entrypoint timeouts and failures that are never retried (issue 29): what the rows, the log table's
 * tracebacks, the failure log lines and the interceptors see. Real worker, real PostgreSQL, a logback appender.
 */
@MigratedQueueTest
class JobControlsTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
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

    private static RetryPolicy retries(int attempts) {
        return RetryPolicy.exponentialBackoff(Duration.ofMillis(10), 1.0, Duration.ofMillis(10), attempts);
    }

    /** The tracebacks of {@code id}'s log rows with {@code status}, oldest first. */
    private List<JsonNode> tracebacks(long id, PgqueuerStatus status) {
        return jobs.dsl().select(PGQUEUER_LOG.TRACEBACK).from(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.JOB_ID.eq(id), PGQUEUER_LOG.STATUS.eq(status), PGQUEUER_LOG.TRACEBACK.isNotNull())
                .orderBy(PGQUEUER_LOG.ID).fetch(PGQUEUER_LOG.TRACEBACK).stream().map(tb -> {
                    try {
                        return JSON.readTree(tb.data());
                    } catch (Exception e) {
                        throw new AssertionError(tb.data(), e);
                    }
                }).toList();
    }

    private static List<ILoggingEvent> about(LogCapture log, long id) {
        return log.events(e -> String.valueOf(id).equals(e.getMDCPropertyMap().get("pgqj.job_id")));
    }

    @Test
    void aHandlerBlockedPastItsTimeoutIsInterruptedAndRetriedPerItsPolicyThenHeld() throws Exception {
        long id = jobs.enqueue("slow_report", "{}".getBytes(UTF_8));
        AtomicInteger interrupted = new AtomicInteger();
        AtomicInteger sawCancelled = new AtomicInteger();
        Queue<JobOutcome> outcomes = new ConcurrentLinkedQueue<>();
        EntrypointOptions options = EntrypointOptions.builder().timeout(Duration.ofSeconds(1)).retryPolicy(retries(1))
                .onFailure(EntrypointOptions.OnFailure.HOLD).build();
        try (LogCapture failures = LogCapture.of(FailureLog.class);
             LogCapture runner = LogCapture.of(JobRunner.class);
             Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                     .entrypoint("slow_report", options, (job, ctx) -> {
                         try {
                             Thread.sleep(Duration.ofMinutes(5)); // a socket that never answers
                         } catch (InterruptedException e) {
                             interrupted.incrementAndGet();
                             if (ctx.isCancelled()) {
                                 sawCancelled.incrementAndGet();
                             }
                             throw e;
                         }
                     })
                     .options(TestJobs.fastOptions().interceptor((job, ctx, next) -> {
                         JobOutcome outcome = next.proceed();
                         outcomes.add(outcome);
                         return outcome;
                     }).build()).build().start()) {
            Await.until("held after its retry", WAIT, () -> jobs.logStatuses(id).contains(PgqueuerStatus.failed));

            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.queued,
                    PgqueuerStatus.picked, PgqueuerStatus.failed), jobs.logStatuses(id));
            assertEquals(2, interrupted.get(), "each attempt was interrupted at its deadline");
            assertEquals(2, sawCancelled.get(), "and its context cancelled");
            JsonNode retry = tracebacks(id, PgqueuerStatus.queued).getFirst();
            JsonNode held = tracebacks(id, PgqueuerStatus.failed).getFirst();
            for (JsonNode tb : List.of(retry, held)) {
                assertEquals("JobTimeoutException", tb.get("exception_type").asText(), tb.toString());
                assertEquals(JobTimeoutException.class.getName(), tb.get("additional_context").get("exception_class").asText());
                assertEquals("Job " + id + " of entrypoint 'slow_report' timed out after 1 s (its entrypoint's timeout); "
                        + "its context was cancelled and its thread interrupted", tb.get("exception_message").asText());
                assertTrue(tb.get("traceback").asText().contains("Caused by: java.lang.InterruptedException"), tb.toString());
            }
            assertEquals(1, retry.get("additional_context").get("attempt").asInt());
            var row = jobs.dsl().selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne();
            assertEquals(PgqueuerStatus.failed, row.getStatus());
            assertEquals(1, (int) row.getAttempts());

            List<JobOutcome> seen = List.copyOf(outcomes);
            assertEquals(List.of(JobOutcome.Status.RETRIED, JobOutcome.Status.HELD),
                    seen.stream().map(JobOutcome::status).toList());
            assertTrue(seen.stream().allMatch(JobOutcome::timedOut), seen::toString);
            assertTrue(seen.stream().allMatch(o -> o.notRetried().isEmpty()), "a timeout follows the retry policy");

            List<ILoggingEvent> lines = about(failures, id);
            assertEquals(2, lines.size(), lines::toString);
            assertTrue(lines.get(0).getFormattedMessage().startsWith("Job " + id + " (slow_report, attempts 0) failed, "
                    + "retried in 10 ms: org.pgqj.worker.JobTimeoutException: Job " + id + " of entrypoint 'slow_report' "
                    + "timed out after 1 s"), lines.get(0).getFormattedMessage());
            assertTrue(lines.get(1).getFormattedMessage().startsWith("Job " + id + " (slow_report, attempts 1) failed, "
                    + "held (status 'failed', kept for a requeue): org.pgqj.worker.JobTimeoutException"),
                    lines.get(1).getFormattedMessage());
            assertEquals(List.of(), runner.events(), "a handler that answers its interrupt is not reported as overdue");
        }
    }

    @Test
    void aHandlerIgnoringItsInterruptIsReportedOnceRecordedOnceAndNotWaitedForAtShutdown() throws Exception {
        CountDownLatch releaseFirst = new CountDownLatch(1);
        CountDownLatch releaseSecond = new CountDownLatch(1);
        CountDownLatch secondReturned = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        long first = jobs.enqueue("stubborn", "1".getBytes(UTF_8));
        JobHandler ignoresInterrupts = (job, ctx) -> {
            calls.incrementAndGet();
            boolean second = new String(job.payload(), UTF_8).equals("2");
            CountDownLatch release = second ? releaseSecond : releaseFirst;
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException swallowed) {
                    // carries on regardless, as code stuck in a non-interruptible call does
                }
            }
            if (second) {
                secondReturned.countDown();
            }
        };
        EntrypointOptions options = EntrypointOptions.builder().timeout(Duration.ofMillis(300)).build();
        try (LogCapture runner = LogCapture.of(JobRunner.class);
             LogCapture worker = LogCapture.of(RunningWorker.class)) {
            Worker w = Worker.builder(db.dataSource(), QueueTables.defaults()).entrypoint("stubborn", options, ignoresInterrupts)
                    .options(TestJobs.fastOptions().shutdownTimeout(Duration.ofSeconds(30)).build()).build().start();
            try {
                Await.until("the overdue line", WAIT, () -> !about(runner, first).isEmpty());
                Await.until("the timeout outcome", WAIT, () -> jobs.logStatuses(first).contains(PgqueuerStatus.exception));
                ILoggingEvent overdue = about(runner, first).getFirst();
                assertEquals(Level.WARN, overdue.getLevel());
                assertEquals("Job " + first + " (stubborn) still running 300 ms after its timeout of 300 ms; it keeps its "
                        + "thread but no longer holds up shutdown beyond its timeout. Its timeout outcome is recorded now; "
                        + "what it returns later is not", overdue.getFormattedMessage());
                JsonNode tb = tracebacks(first, PgqueuerStatus.exception).getFirst();
                assertEquals("JobTimeoutException", tb.get("exception_type").asText());
                assertTrue(tb.get("traceback").asText().contains("CountDownLatch.await"),
                        "the trace is where the handler is stuck: " + tb);
                assertEquals(0, jobs.queueCount(), "the row is finished while its handler still runs");
                Await.until("it no longer counts as running", WAIT, () -> w.runningJobs() == 0);

                releaseFirst.countDown();
                Await.until("the late return", WAIT, () -> about(runner, first).size() == 2);
                ILoggingEvent late = about(runner, first).get(1);
                assertEquals(Level.INFO, late.getLevel());
                assertTrue(late.getFormattedMessage().contains("past its timeout and grace; its timeout outcome was "
                        + "recorded then, so this ending"), late.getFormattedMessage());
                assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.exception),
                        jobs.logStatuses(first), "one outcome, the timeout's; the late return wrote nothing");
                assertEquals(1, about(runner, first).stream().filter(e -> e.getLevel() == Level.WARN).count());

                long second = jobs.enqueue("stubborn", "2".getBytes(UTF_8));
                Await.until("the second overdue line", WAIT, () -> !about(runner, second).isEmpty());
                Await.until("its outcome", WAIT, () -> jobs.logStatuses(second).contains(PgqueuerStatus.exception));
                assertEquals(1, secondReturned.getCount(), "still running");
                w.close(); // its handler still blocks: the 30 s shutdown timeout must not be spent on it

                List<String> stopLines = worker.events().stream().map(ILoggingEvent::getFormattedMessage).toList();
                assertFalse(stopLines.stream().anyMatch(l -> l.contains("shutdown timeout")),
                        "the shutdown did not wait for it: " + stopLines);
                assertTrue(stopLines.stream().anyMatch(l -> l.contains("stops while 1 jobs past their timeout still run")
                        && l.contains("[" + second + "]")), stopLines::toString);
                assertEquals(1, secondReturned.getCount(), "close returned while the handler still ran");
                assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.exception),
                        jobs.logStatuses(second));
                assertEquals(2, calls.get());
            } finally {
                releaseFirst.countDown();
                releaseSecond.countDown();
                w.close();
            }
        }
    }

    @Test
    void aHandlerIgnoringItsInterruptWithRetriesLeftIsRetriedOnlyOnceItReturns() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        long id = jobs.enqueue("stubborn", "1".getBytes(UTF_8));
        JobHandler ignoresInterruptsOnce = (job, ctx) -> {
            if (calls.incrementAndGet() > 1) {
                return; // the retry
            }
            while (true) {
                try {
                    release.await();
                    break;
                } catch (InterruptedException swallowed) {
                    // carries on regardless
                }
            }
        };
        EntrypointOptions options = EntrypointOptions.builder().timeout(Duration.ofMillis(300)).retryPolicy(retries(3))
                .build();
        try (LogCapture runner = LogCapture.of(JobRunner.class);
             Worker w = Worker.builder(db.dataSource(), QueueTables.defaults()).entrypoint("stubborn", options,
                     ignoresInterruptsOnce).options(TestJobs.fastOptions().build()).build().start()) {
            Await.until("the overdue line", WAIT, () -> !about(runner, id).isEmpty());
            ILoggingEvent overdue = about(runner, id).getFirst();
            assertEquals(Level.WARN, overdue.getLevel());
            assertTrue(overdue.getFormattedMessage().contains("its retry is recorded when the handler returns"),
                    overdue.getFormattedMessage());
            Await.holds("no retry while the first run goes on", Duration.ofMillis(500),
                    () -> calls.get() == 1 && jobs.logStatuses(id).equals(List.of(PgqueuerStatus.queued,
                            PgqueuerStatus.picked)));
            assertEquals(1, w.runningJobs(), "it still counts as running");
            release.countDown();
            Await.until("the retry ran once the first run returned", WAIT, () -> calls.get() == 2
                    && jobs.logStatuses(id).contains(PgqueuerStatus.successful));
        }
    }

    @Test
    void aNonRetryableFailureIsHeldAfterOneAttemptWhateverAttemptsAreLeft() throws Exception {
        long id = jobs.enqueue("charge_card", "{}".getBytes(UTF_8));
        AtomicInteger calls = new AtomicInteger();
        EntrypointOptions options = EntrypointOptions.builder().retryPolicy(retries(5))
                .onFailure(EntrypointOptions.OnFailure.HOLD).build();
        try (LogCapture failures = LogCapture.of(FailureLog.class);
             Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                     .entrypoint("charge_card", options, (job, ctx) -> {
                         calls.incrementAndGet();
                         throw new NonRetryableException("card declined by the acquirer");
                     }).options(TestJobs.fastOptions().build()).build().start()) {
            Await.until("held", WAIT, () -> jobs.logStatuses(id).contains(PgqueuerStatus.failed));
            assertTrue(w.awaitDrained(WAIT));
            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.failed), jobs.logStatuses(id));
            assertEquals(1, calls.get());
            var row = jobs.dsl().selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne();
            assertEquals(PgqueuerStatus.failed, row.getStatus());
            assertEquals(0, (int) row.getAttempts());
            assertEquals("NonRetryableException", tracebacks(id, PgqueuerStatus.failed).getFirst().get("exception_type").asText());
            ILoggingEvent line = about(failures, id).getFirst();
            assertEquals(Level.WARN, line.getLevel());
            assertEquals("Job " + id + " (charge_card, attempts 0) failed, held (status 'failed', kept for a requeue; "
                    + "not retried: NonRetryableException): org.pgqj.worker.NonRetryableException: card declined by the "
                    + "acquirer", line.getFormattedMessage());
        }
    }

    @Test
    void noRetryForFailsAtOnceWhileAnotherExceptionIsRetried() throws Exception {
        long bad = jobs.enqueue("import_row", "bad".getBytes(UTF_8));
        long flaky = jobs.enqueue("import_row", "flaky".getBytes(UTF_8));
        EntrypointOptions options = EntrypointOptions.builder()
                .retryPolicy(retries(5).noRetryFor(IllegalArgumentException.class)).build();
        try (LogCapture failures = LogCapture.of(FailureLog.class);
             Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                     .entrypoint("import_row", options, (job, ctx) -> {
                         if (new String(job.payload(), UTF_8).equals("bad")) {
                             throw new NumberFormatException("not a number: x"); // an IllegalArgumentException
                         }
                         if (job.attempts() < 2) {
                             throw new IllegalStateException("database busy");
                         }
                     }).options(TestJobs.fastOptions().build()).build().start()) {
            Await.until("both done", WAIT, () -> jobs.logStatuses(bad).contains(PgqueuerStatus.exception)
                    && jobs.logStatuses(flaky).contains(PgqueuerStatus.successful));
            assertTrue(w.awaitDrained(WAIT));
            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.exception), jobs.logStatuses(bad));
            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.queued, PgqueuerStatus.picked,
                    PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.successful), jobs.logStatuses(flaky));
            ILoggingEvent line = about(failures, bad).getFirst();
            assertEquals(Level.ERROR, line.getLevel());
            assertEquals("Job " + bad + " (import_row, attempts 0) failed, exception (final; not retried: matches "
                    + "noRetryFor(IllegalArgumentException)): java.lang.NumberFormatException: not a number: x",
                    line.getFormattedMessage());
            assertTrue(about(failures, flaky).stream().allMatch(e -> e.getFormattedMessage().contains("retried in 10 ms")));
        }
    }
}
