package org.pgqj.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.Record1;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.jooq.impl.DSL;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;
import org.slf4j.LoggerFactory;

/**
 * Snooze (issue 29): a handler's {@link SnoozeRequested} puts the job back without counting an attempt. What the
 * row, the log table, the failure log and the interceptors see; the slot of a limited entrypoint is released as a
 * retry releases it. Real worker, real PostgreSQL; times from the database clock.
 */
@MigratedQueueTest
class SnoozeTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
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

    @Test
    void aSnoozeKeepsAttemptsMovesExecuteAfterAndLogsAPlainQueuedRow() throws Exception {
        long id = jobs.enqueue("partner_sync", "{}".getBytes(UTF_8));
        AtomicInteger calls = new AtomicInteger();
        Queue<JobOutcome> outcomes = new ConcurrentLinkedQueue<>();
        Logger runnerLogger = (Logger) LoggerFactory.getLogger(JobRunner.class);
        Level before = runnerLogger.getLevel();
        runnerLogger.setLevel(Level.DEBUG);
        EntrypointOptions options = EntrypointOptions.builder()
                .retryPolicy(RetryPolicy.exponentialBackoff(Duration.ZERO, 1.0, Duration.ZERO, 5)).build();
        try (LogCapture failures = LogCapture.of(FailureLog.class);
             LogCapture runner = LogCapture.of(JobRunner.class);
             Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                     .entrypoint("partner_sync", options, (job, ctx) -> {
                         if (calls.incrementAndGet() == 1) {
                             throw new RetryRequested(Duration.ZERO, "a real failure first: attempts 0 -> 1");
                         }
                         throw new SnoozeRequested(Duration.ofMinutes(10), "partner says come back later");
                     })
                     .options(TestJobs.fastOptions().interceptor((job, ctx, next) -> {
                         JobOutcome outcome = next.proceed();
                         outcomes.add(outcome);
                         return outcome;
                     }).build()).build().start()) {
            Await.until("retried, then snoozed", WAIT, () -> jobs.logStatuses(id).size() == 5);

            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.queued,
                    PgqueuerStatus.picked, PgqueuerStatus.queued), jobs.logStatuses(id));
            var row = jobs.dsl().selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne();
            assertEquals(PgqueuerStatus.queued, row.getStatus());
            assertEquals(1, (int) row.getAttempts(), "the retry counted, the snooze did not");
            assertNull(row.getQueueManagerId());
            // both set from the same now() in the snooze's statement: the delay exactly, on the database's clock
            Record1<Boolean> tenMinutes = jobs.dsl().select(DSL.field("execute_after - updated = interval '10 minutes'",
                    Boolean.class)).from(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne();
            assertTrue(tenMinutes.value1(), "execute_after = now() + 10 minutes");
            assertTrue(jobs.dsl().fetchValue(DSL.field("(select updated > now() - interval '1 minute' from pgqueuer where id = "
                    + id + ")", Boolean.class)), "updated is the snooze's now()");

            var logRows = jobs.dsl().selectFrom(PGQUEUER_LOG).where(PGQUEUER_LOG.JOB_ID.eq(id))
                    .orderBy(PGQUEUER_LOG.ID).fetch();
            assertTrue(logRows.get(2).getTraceback() != null, "the retry's queued row carries its traceback");
            var snoozed = logRows.get(4);
            assertNull(snoozed.getTraceback(), "a snooze is no failed attempt: no traceback, as pgqueuer's requeue");
            assertEquals("partner_sync", snoozed.getEntrypoint());
            assertEquals(0, (int) snoozed.getPriority());

            List<JobOutcome> seen = List.copyOf(outcomes);
            assertEquals(List.of(JobOutcome.Status.RETRIED, JobOutcome.Status.SNOOZED),
                    seen.stream().map(JobOutcome::status).toList());
            JobOutcome snooze = seen.get(1);
            assertEquals(Duration.ofMinutes(10), snooze.retryDelay().orElseThrow());
            assertEquals("partner says come back later", snooze.snoozeReason().orElseThrow());
            assertTrue(snooze.error().isEmpty() && snooze.notRetried().isEmpty() && !snooze.timedOut(), snooze::toString);
            assertEquals("snoozed", snooze.status().label());

            List<ILoggingEvent> failed = failures.events(e -> String.valueOf(id).equals(e.getMDCPropertyMap().get("pgqj.job_id")));
            assertEquals(1, failed.size(), "the retry only: " + failed);
            List<ILoggingEvent> lines = runner.events(e -> e.getFormattedMessage().contains("snoozed"));
            assertEquals(1, lines.size(), lines::toString);
            assertEquals(Level.DEBUG, lines.getFirst().getLevel());
            assertEquals("Job " + id + " (partner_sync, attempts 1) snoozed for 600 s: partner says come back later",
                    lines.getFirst().getFormattedMessage());
            assertEquals(String.valueOf(id), lines.getFirst().getMDCPropertyMap().get("pgqj.job_id"));
            assertEquals(2, calls.get(), "not run again before its time");
        } finally {
            runnerLogger.setLevel(before);
        }
    }

    @Test
    void aSnoozedJobRunsAgainWhenDueWithItsAttemptsUnchanged() throws Exception {
        long id = jobs.enqueue("poll_partner", "{}".getBytes(UTF_8));
        Queue<Integer> attemptsSeen = new ConcurrentLinkedQueue<>();
        CountDownLatch done = new CountDownLatch(1);
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("poll_partner", EntrypointOptions.defaults(), (job, ctx) -> {
                    attemptsSeen.add(job.attempts());
                    if (attemptsSeen.size() < 3) {
                        throw new SnoozeRequested(Duration.ofMillis(200), "");
                    }
                    done.countDown();
                })
                .options(TestJobs.fastOptions().build()).build().start()) {
            assertTrue(done.await(WAIT.toSeconds(), TimeUnit.SECONDS), "ran a third time");
            Await.until("finished", WAIT, () -> jobs.logStatuses(id).contains(PgqueuerStatus.successful));
        }
        assertEquals(List.of(0, 0, 0), List.copyOf(attemptsSeen), "RetryPolicy.none() would have ended it after one attempt");
        assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.queued, PgqueuerStatus.picked,
                PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.successful), jobs.logStatuses(id));
    }

    @Test
    void aSnoozeOfALimitedEntrypointReleasesItsSlot() throws Exception {
        for (EntrypointOptions options : List.of(EntrypointOptions.builder().concurrencyLimit(1).build(),
                EntrypointOptions.builder().serializedDispatch(true).build())) {
            jobs.empty();
            long first = jobs.enqueue("one_at_a_time", "1".getBytes(UTF_8), 5, Duration.ZERO, null);
            long second = jobs.enqueue("one_at_a_time", "2".getBytes(UTF_8), 0, Duration.ZERO, null);
            CountDownLatch secondRan = new CountDownLatch(1);
            try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                    .entrypoint("one_at_a_time", options, (job, ctx) -> {
                        if (job.id() == first) {
                            throw new SnoozeRequested(Duration.ofHours(1), "not yet");
                        }
                        secondRan.countDown();
                    })
                    .options(TestJobs.fastOptions().build()).build().start()) {
                assertTrue(secondRan.await(WAIT.toSeconds(), TimeUnit.SECONDS),
                        "the snoozed job's slot went to the next job (" + options + ")");
                Await.until("the second finished", WAIT, () -> jobs.logStatuses(second).contains(PgqueuerStatus.successful));
            }
            var row = jobs.dsl().selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(first)).fetchOne();
            assertEquals(PgqueuerStatus.queued, row.getStatus(), options::toString);
            assertEquals(0, (int) row.getAttempts(), options::toString);
        }
    }

    @Test
    void aSnoozeDelayMustBePositiveAndBounded() {
        for (Duration bad : List.of(Duration.ZERO, Duration.ofSeconds(-1), SnoozeRequested.MAX_DELAY.plusNanos(1),
                Duration.ofSeconds(Long.MAX_VALUE))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SnoozeRequested(bad, "x"));
            assertEquals("Snooze delay must be more than zero and at most PT876000H (100 years), got " + bad, e.getMessage());
        }
        SnoozeRequested longest = new SnoozeRequested(SnoozeRequested.MAX_DELAY, null);
        assertEquals("", longest.reason());
        assertEquals("Snooze requested for PT876000H", longest.getMessage());
    }

    @Test
    void theLongestSnoozeIsWritten() throws Exception {
        long id = jobs.enqueue("far_future", "{}".getBytes(UTF_8));
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("far_future", EntrypointOptions.defaults(), (job, ctx) -> {
                    throw new SnoozeRequested(SnoozeRequested.MAX_DELAY, "a century");
                })
                .options(TestJobs.fastOptions().build()).build().start()) {
            Await.until("snoozed", WAIT, () -> jobs.logStatuses(id).size() == 3);
        }
        assertTrue(jobs.dsl().fetchValue(DSL.field("(select execute_after - updated = interval '36500 days' from pgqueuer "
                + "where id = " + id + ")", Boolean.class)));
    }
}
