package org.pgqj.testing.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.pgqj.core.JobStatus;
import org.pgqj.enqueue.NewJob;
import org.pgqj.payload.Entrypoint;
import org.pgqj.schedule.Scheduler;
import org.pgqj.schedule.SchedulerOptions;
import org.pgqj.testing.Await;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.RetryPolicy;
import org.pgqj.worker.Worker;

@QueueTest
class QueueDrainerTest {

    @Entrypoint("ship_order")
    record ShipOrder(long orderId) {
    }

    @Test
    void runsEveryDueJobWithTheRealHandlersAndReportsEach(TestQueue queue) {
        List<Long> shipped = new CopyOnWriteArrayList<>();
        long a = queue.jobQueue().enqueue(queue.dsl(), new ShipOrder(1));
        long b = queue.jobQueue().enqueue(queue.dsl(), new ShipOrder(2));
        long other = queue.jobQueue().enqueue(queue.dsl(), NewJob.of("not_this_workers", new byte[0]));

        DrainResult result = queue.drain(Worker.builder(queue.dataSource(), queue.tables())
                .entrypoint(ShipOrder.class, EntrypointOptions.defaults(), (ship, ctx) -> shipped.add(ship.orderId()))
                .build());

        result.requireAllSuccessful();
        assertEquals(List.of(a, b), result.jobs().stream().map(RanJob::id).toList());
        assertEquals(List.of(JobStatus.PICKED, JobStatus.SUCCESSFUL), result.job(a).statuses());
        assertEquals(List.of(1L, 2L), shipped.stream().sorted().toList());
        // another entrypoint's job is left alone, and does not hold the drain up
        queue.enqueued().requireExactly(JobMatcher.entrypoint("not_this_workers"));
        assertThrows(AssertionError.class, () -> result.job(other));
    }

    @Test
    void aRetryWithoutDelayRunsAgainInTheSameDrainAndAHoldIsReported(TestQueue queue) {
        AtomicInteger runs = new AtomicInteger();
        long flaky = queue.jobQueue().enqueue(queue.dsl(), NewJob.of("flaky", new byte[0]));
        long broken = queue.jobQueue().enqueue(queue.dsl(), NewJob.of("broken", new byte[0]));

        DrainResult result = queue.drain(Worker.builder(queue.dataSource(), queue.tables())
                .entrypoint("flaky", EntrypointOptions.builder()
                        .retryPolicy(RetryPolicy.exponentialBackoff(Duration.ZERO, 1, Duration.ZERO, 3)).build(),
                        (job, ctx) -> {
                            if (runs.incrementAndGet() < 3) {
                                throw new IllegalStateException("flaky: run " + runs.get());
                            }
                        })
                .entrypoint("broken", EntrypointOptions.builder().onFailure(EntrypointOptions.OnFailure.HOLD).build(),
                        (job, ctx) -> {
                            throw new IllegalArgumentException("broken on purpose");
                        })
                .build());

        RanJob f = result.job(flaky);
        assertEquals(JobStatus.SUCCESSFUL, f.status());
        assertEquals(2, f.retries());
        assertTrue(f.traceback().orElseThrow().contains("flaky: run 2"), f.traceback().orElseThrow());
        RanJob held = result.job(broken);
        assertEquals(JobStatus.FAILED, held.status());
        assertTrue(held.traceback().orElseThrow().contains("broken on purpose"), held.traceback().orElseThrow());
        AssertionError e = assertThrows(AssertionError.class, result::requireAllSuccessful);
        assertTrue(e.getMessage().contains("#" + broken + " broken [PICKED, FAILED]"), e.getMessage());
        queue.enqueued().requireExactly(JobMatcher.entrypoint("broken"));
    }

    @Test
    void aTimeoutEndsTheJobAsTheWorkerWould(TestQueue queue) {
        long id = queue.jobQueue().enqueue(queue.dsl(), NewJob.of("slow", new byte[0]));
        DrainResult result = queue.drain(Worker.builder(queue.dataSource(), queue.tables())
                .entrypoint("slow", EntrypointOptions.builder().timeout(Duration.ofMillis(200)).build(), (job, ctx) -> {
                    // blocks until the timeout interrupts it
                    new CountDownLatch(1).await(30, TimeUnit.SECONDS);
                })
                .build());
        RanJob slow = result.job(id);
        assertEquals(JobStatus.EXCEPTION, slow.status());
        assertTrue(slow.traceback().orElseThrow().contains("Timeout"), slow.traceback().orElseThrow());
    }

    @Test
    void aDelayedJobAndARetrysBackoffRunOnceTheClockHasMoved(TestQueue queue) {
        AtomicInteger runs = new AtomicInteger();
        long later = queue.jobQueue().enqueue(queue.dsl(), NewJob.builder("later").delay(Duration.ofHours(1)).build());
        long retried = queue.jobQueue().enqueue(queue.dsl(), NewJob.of("backoff", new byte[0]));
        Worker.Builder worker = Worker.builder(queue.dataSource(), queue.tables())
                .entrypoint("later", EntrypointOptions.defaults(), (job, ctx) -> { })
                .entrypoint("backoff", EntrypointOptions.builder()
                        .retryPolicy(RetryPolicy.exponentialBackoff(Duration.ofMinutes(10), 2, Duration.ofHours(1), 5)).build(),
                        (job, ctx) -> {
                            if (runs.incrementAndGet() == 1) {
                                throw new IllegalStateException("the first run fails");
                            }
                        });

        DrainResult first = queue.drain(worker.build());
        assertEquals(List.of(retried), first.jobs().stream().map(RanJob::id).toList());
        assertEquals(JobStatus.QUEUED, first.job(retried).status());
        queue.enqueued().requireOne(JobMatcher.entrypoint("backoff"));

        queue.clock().advance(Duration.ofMinutes(10));
        DrainResult second = queue.drain(worker.build());
        assertEquals(List.of(retried), second.jobs().stream().map(RanJob::id).toList());
        assertEquals(JobStatus.SUCCESSFUL, second.job(retried).status());
        queue.enqueued().requireExactly(JobMatcher.entrypoint("later").delay(Duration.ofHours(1)));

        queue.clock().advance(Duration.ofMinutes(50));
        queue.drain(worker.build()).requireAllSuccessful().job(later);
        queue.enqueued().requireEmpty();
    }

    @Test
    void theClockBringsAScheduleForward(TestQueue queue) throws InterruptedException {
        AtomicInteger ticks = new AtomicInteger();
        try (Scheduler scheduler = Scheduler.builder(queue.dataSource(), queue.tables())
                .schedule("0 0 1 1 *", "new_year", ctx -> ticks.incrementAndGet())
                .options(SchedulerOptions.builder().maxPollInterval(Duration.ofSeconds(1)).build())
                .build()) {
            scheduler.start();
            Await.until("the schedule row", Duration.ofSeconds(10), () -> queue.clock().advance(Duration.ZERO) == 1);
            assertEquals(0, ticks.get());
            queue.clock().advance(Duration.ofDays(366));
            Await.until("the new-year task ran", Duration.ofSeconds(10), () -> ticks.get() == 1);
        }
    }

    @Test
    void theClockOnlyMovesForward(TestQueue queue) {
        assertThrows(IllegalArgumentException.class, () -> queue.clock().advance(Duration.ofSeconds(-1)));
    }
}
