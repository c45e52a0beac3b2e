package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/**
 * The claim size adapts to the backlog: it doubles from batchSize while claims come back full, up to
 * maxBatchSize, and is batchSize again once the backlog is gone; every job still runs once, with its log rows,
 * and a limited entrypoint never exceeds its slots.
 */
@MigratedQueueTest
class AdaptiveClaimTest {

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

    /** The requested size of every claim the worker made. */
    private static final class Claims implements WorkerObserver {
        final List<Integer> requested = new CopyOnWriteArrayList<>();
        final AtomicInteger partial = new AtomicInteger();

        @Override
        public void onClaim(int requestedJobs, int claimed, Duration took) {
            requested.add(requestedJobs);
            if (claimed < requestedJobs) {
                partial.incrementAndGet();
            }
        }
    }

    @Test
    void claimsGrowOnADeepBacklogAndShrinkWhenItIsGone() throws Exception {
        jobs.enqueueMany("deep", 3_000);
        Claims claims = new Claims();
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        try (Worker worker = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("deep", EntrypointOptions.defaults(), (job, ctx) ->
                        runs.computeIfAbsent(job.id(), id -> new AtomicInteger()).incrementAndGet())
                .options(WorkerOptions.builder().batchSize(10).maxBatchSize(200).observer(claims).build())
                .build().start()) {
            Await.until("3,000 jobs run", Duration.ofSeconds(60), () -> runs.size() == 3_000 && jobs.queueCount() == 0);
            List<Integer> deep = new ArrayList<>(claims.requested);
            assertEquals(List.of(10, 20, 40, 80, 160, 200), deep.subList(0, 6), "doubling from batchSize to maxBatchSize: " + deep);
            assertTrue(deep.stream().allMatch(n -> n <= 200), "never above maxBatchSize: " + deep);

            // the backlog is gone: one job at a time is claimed with batchSize again
            // the claim that found the queue empty also found nothing more due, which resets the size
            Await.until("a claim found the backlog gone", Duration.ofSeconds(10), () -> claims.partial.get() > 0);
            int before = claims.requested.size();
            jobs.enqueue("deep", null);
            Await.until("shallow job run", Duration.ofSeconds(10), () -> runs.size() == 3_001);
            List<Integer> shallow = claims.requested.subList(before, claims.requested.size());
            assertTrue(!shallow.isEmpty() && shallow.stream().allMatch(n -> n == 10), "shallow claims use batchSize: " + shallow);
        }
        assertTrue(runs.values().stream().allMatch(n -> n.get() == 1), "every job ran exactly once");
        Await.until("outcomes written", Duration.ofSeconds(10), () -> jobs.dsl().fetchCount(PGQUEUER_LOG,
                PGQUEUER_LOG.STATUS.eq(PgqueuerStatus.successful)) == 3_001);
        assertEquals(3_001, jobs.dsl().fetchCount(PGQUEUER_LOG, PGQUEUER_LOG.STATUS.eq(PgqueuerStatus.picked)),
                "one picked log row per job");
    }

    @Test
    void aLimitedEntrypointKeepsItsSlotsWhileClaimsGrow() throws Exception {
        jobs.enqueueMany("limited", 2_000);
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        try (Worker worker = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("limited", EntrypointOptions.builder().concurrencyLimit(50).build(), (job, ctx) -> {
                    maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
                    Thread.onSpinWait();
                    running.decrementAndGet();
                    done.incrementAndGet();
                })
                .options(WorkerOptions.builder().batchSize(10).build())
                .build().start()) {
            Await.until("2,000 jobs run", Duration.ofSeconds(60), () -> done.get() == 2_000 && jobs.queueCount() == 0);
        }
        assertTrue(maxRunning.get() <= 50, "at most 50 at once, saw " + maxRunning.get());
    }

    @Test
    void maxBatchSizeBelowBatchSizeIsRefusedNamingBoth() {
        WorkerException e = assertThrows(WorkerException.class,
                () -> WorkerOptions.builder().batchSize(100).maxBatchSize(50).build());
        assertTrue(e.getMessage().contains("maxBatchSize (50) must be at least batchSize (100)"), e.getMessage());
        assertEquals(500, WorkerOptions.builder().build().maxBatchSize());
        assertEquals(800, WorkerOptions.builder().batchSize(800).build().maxBatchSize());
    }
}
