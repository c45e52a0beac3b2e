package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.Record2;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/**
 * pgqueuer 2.0's cancel of a picked job: the row, its concurrency slot and its dedupe key stay until the
 * worker has stopped the handler and recorded the outcome; queued jobs and picked jobs of dead workers go at once.
 */
@MigratedQueueTest
class CancelPickedTest {

    private static final QueueAdmin ADMIN = QueueAdmin.create(QueueTables.defaults());
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
    void aCanceledRunningJobKeepsItsSlotAndDedupeKeyUntilItsWorkerRecordsTheOutcome() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch sawCancel = new CountDownLatch(1);
        CountDownLatch mayFinish = new CountDownLatch(1);
        AtomicLong secondStartedAt = new AtomicLong();
        long first = jobs.enqueue("one_slot", null, 5, Duration.ZERO, "report-42");
        long second = jobs.enqueue("one_slot", null, 0, Duration.ZERO, null);
        try (Worker worker = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("one_slot", EntrypointOptions.builder().concurrencyLimit(1).build(), (job, ctx) -> {
                    if (job.id() != first) {
                        secondStartedAt.set(System.nanoTime());
                        return;
                    }
                    started.countDown();
                    while (!ctx.isCancelled()) {
                        Thread.onSpinWait();
                    }
                    sawCancel.countDown();
                    // cleanup after the cancel (ignoring the interrupt it brought): the slot must stay held meanwhile
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (mayFinish.getCount() > 0 && System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                })
                .build().start()) {
            assertTrue(started.await(20, TimeUnit.SECONDS), "first job started");
            assertEquals(List.of(first), jobs.dsl().transactionResult(t -> ADMIN.cancel(t.dsl(), List.of(first))));
            assertTrue(sawCancel.await(20, TimeUnit.SECONDS), "the handler saw the cancellation");

            Record2<PgqueuerStatus, Long> row = jobs.dsl().select(PGQUEUER.STATUS, PGQUEUER.SLOT).from(PGQUEUER)
                    .where(PGQUEUER.ID.eq(first)).fetchOne();
            assertEquals(PgqueuerStatus.picked, row.value1(), "the row stays picked while its handler stops");
            assertEquals(0L, row.value2(), "and keeps its slot");
            assertThrows(RuntimeException.class, () -> jobs.enqueue("one_slot", null, 0, Duration.ZERO, "report-42"),
                    "its dedupe key is still taken");
            Thread.sleep(300);
            assertEquals(0, secondStartedAt.get(), "the second job waits for the slot");

            mayFinish.countDown();
            Await.until("the first row is gone", Duration.ofSeconds(20),
                    () -> jobs.dsl().fetchCount(PGQUEUER, PGQUEUER.ID.eq(first)) == 0);
            Await.until("the second job got the slot", Duration.ofSeconds(20), () -> secondStartedAt.get() != 0);
        }
        List<PgqueuerStatus> log = jobs.logStatuses(first);
        assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.canceled), log,
                "one canceled row, written by the worker");
        assertFalse(jobs.logStatuses(second).isEmpty());
    }

    @Test
    void queuedJobsAndPickedJobsOfDeadWorkersAreDeletedAtOnce() {
        long queued = jobs.enqueue("nobody", null);
        long abandoned = jobs.enqueue("nobody", null);
        // picked by a worker that died a minute ago: nobody will record its outcome
        jobs.dsl().update(PGQUEUER).set(PGQUEUER.STATUS, PgqueuerStatus.picked)
                .set(PGQUEUER.HEARTBEAT, java.time.OffsetDateTime.now().minusMinutes(1))
                .where(PGQUEUER.ID.eq(abandoned)).execute();
        List<Long> canceled = jobs.dsl().transactionResult(t -> ADMIN.cancel(t.dsl(), List.of(queued, abandoned, 999_999L)));
        assertEquals(List.of(queued, abandoned), canceled.stream().sorted().toList());
        assertEquals(0, jobs.dsl().fetchCount(PGQUEUER, PGQUEUER.ID.in(queued, abandoned)));
        assertEquals(PgqueuerStatus.canceled, jobs.logStatuses(queued).getLast());
        assertEquals(PgqueuerStatus.canceled, jobs.logStatuses(abandoned).getLast());
    }
}
