package org.pgqj.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/** Several workers on one queue: global limits, serialized dispatch, rate limits, exactly-once under load. */
@Tag("slow") // among the slowest classes of the suite (see .ci/run's per-class times)
@MigratedQueueTest
class WorkerConcurrencyTest {

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

    private List<Worker> workers(int n, String entrypoint, EntrypointOptions options, JobHandler handler, WorkerOptions wo) {
        List<Worker> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(Worker.builder(db.dataSource(), QueueTables.defaults()).entrypoint(entrypoint, options, handler)
                    .options(wo).build().start());
        }
        return list;
    }

    /** Samples the picked count with a separate connection while the workers run; returns the maximum. */
    private int maxPickedWhile(String entrypoint, List<Worker> ws, Duration timeout) throws Exception {
        int max = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        try (Connection c = db.connect()) {
            DSLContext dsl = QueueTables.defaults().dsl(DSL.using(c, SQLDialect.POSTGRES));
            while (true) {
                int picked = dsl.fetchCount(PGQUEUER, PGQUEUER.ENTRYPOINT.eq(entrypoint)
                        .and(PGQUEUER.STATUS.eq(PgqueuerStatus.picked)));
                max = Math.max(max, picked);
                int left = dsl.fetchCount(PGQUEUER, PGQUEUER.ENTRYPOINT.eq(entrypoint));
                if (left == 0) {
                    return max;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("jobs left after " + timeout + ": " + left);
                }
                Thread.sleep(2);
            }
        } finally {
            ws.forEach(Worker::close);
        }
    }

    @Test
    void concurrencyLimitTwoHoldsAcrossThreeWorkers() throws Exception {
        for (int i = 0; i < 60; i++) {
            jobs.enqueue("limited", new byte[0]);
        }
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        List<Worker> ws = workers(3, "limited", EntrypointOptions.builder().concurrencyLimit(2).build(), (job, ctx) -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(15);
            running.decrementAndGet();
            done.incrementAndGet();
        }, WorkerOptions.builder().batchSize(10).dequeueTimeout(Duration.ofSeconds(1)).build());
        int maxPicked = maxPickedWhile("limited", ws, Duration.ofSeconds(60));
        assertEquals(60, done.get());
        assertTrue(maxPicked <= 2, "picked rows peaked at " + maxPicked);
        assertTrue(maxRunning.get() <= 2, "handlers in flight peaked at " + maxRunning.get());
        assertEquals(2, maxRunning.get(), "the limit should be reached under load");
    }

    @Test
    void serializedDispatchRunsOneAtATimeAcrossWorkers() throws Exception {
        for (int i = 0; i < 20; i++) {
            jobs.enqueue("serial", new byte[0]);
        }
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxRunning = new AtomicInteger();
        List<Worker> ws = workers(2, "serial", EntrypointOptions.builder().serializedDispatch(true).build(), (job, ctx) -> {
            maxRunning.accumulateAndGet(running.incrementAndGet(), Math::max);
            Thread.sleep(10);
            running.decrementAndGet();
        }, WorkerOptions.builder().dequeueTimeout(Duration.ofSeconds(1)).build());
        int maxPicked = maxPickedWhile("serial", ws, Duration.ofSeconds(60));
        // the sampler may miss every 10 ms job under load: it bounds the picked rows, the handlers show the limit
        assertTrue(maxPicked <= 1, "picked rows peaked at " + maxPicked);
        assertEquals(1, maxRunning.get(), "handlers in flight peaked at " + maxRunning.get());
    }

    @Test
    void requestsPerSecondIsWithinTenPercent() throws Exception {
        jobs.enqueueMany("rated", 400);
        List<Long> starts = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Worker> ws = workers(1, "rated", EntrypointOptions.builder().requestsPerSecond(50).build(),
                (job, ctx) -> starts.add(System.nanoTime()),
                WorkerOptions.builder().batchSize(10).dequeueTimeout(Duration.ofSeconds(1)).build());
        try {
            Await.until("150 jobs started", Duration.ofSeconds(20), () -> starts.size() >= 150);
        } finally {
            ws.forEach(Worker::close);
        }
        List<Long> sorted = starts.stream().sorted().toList();
        // measure between the 10th and the 150th start (after the initial burst of the bucket)
        double seconds = (sorted.get(149) - sorted.get(9)) / 1e9;
        double rate = 140 / seconds;
        assertTrue(rate >= 45 && rate <= 55, "measured " + rate + " jobs/s for a limit of 50");
    }

    @Test
    void fourWorkersRunTwentyThousandJobsExactlyOnce() throws Exception {
        int total = 20_000;
        jobs.enqueueMany("bulk", total);
        Set<Long> seen = ConcurrentHashMap.newKeySet();
        AtomicInteger duplicates = new AtomicInteger();
        List<Worker> ws = workers(4, "bulk", EntrypointOptions.defaults(), (job, ctx) -> {
            if (!seen.add(job.id())) {
                duplicates.incrementAndGet();
            }
        }, WorkerOptions.builder().batchSize(50).dequeueTimeout(Duration.ofSeconds(1)).build());
        try {
            Await.until("all rows gone", Duration.ofSeconds(120), () -> jobs.queueCount() == 0);
        } finally {
            ws.forEach(Worker::close);
        }
        assertEquals(total, seen.size());
        assertEquals(0, duplicates.get());
        var perStatus = jobs.dsl().select(PGQUEUER_LOG.STATUS, DSL.count(), DSL.countDistinct(PGQUEUER_LOG.JOB_ID))
                .from(PGQUEUER_LOG).where(PGQUEUER_LOG.ENTRYPOINT.eq("bulk")).groupBy(PGQUEUER_LOG.STATUS).fetch();
        for (var r : perStatus) {
            assertEquals(total, r.value2(), "log rows with status " + r.value1());
            assertEquals(total, r.value3(), "distinct jobs with status " + r.value1());
        }
        assertEquals(3, perStatus.size(), perStatus.toString()); // queued, picked, successful
    }

    @Test
    void twoPodClassesEachRunOnlyTheirEntrypoints() throws Exception {
        jobs.enqueue("fast_task", "1".getBytes(UTF_8));
        jobs.enqueue("slow_task", "2".getBytes(UTF_8));
        Set<String> fastSaw = ConcurrentHashMap.newKeySet();
        Set<String> slowSaw = ConcurrentHashMap.newKeySet();
        WorkerOptions wo = WorkerOptions.builder().dequeueTimeout(Duration.ofSeconds(1)).build();
        try (Worker fast = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("fast_task", EntrypointOptions.defaults(), (job, ctx) -> fastSaw.add(job.entrypoint()))
                .options(wo).build().start();
             Worker slow = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("slow_task", EntrypointOptions.builder().concurrencyLimit(1).build(),
                        (job, ctx) -> slowSaw.add(job.entrypoint()))
                .options(WorkerOptions.builder().maxConcurrentJobs(1).batchSize(1).build()).build().start()) {
            assertTrue(fast.awaitDrained(Duration.ofSeconds(10)));
            assertTrue(slow.awaitDrained(Duration.ofSeconds(10)));
        }
        assertEquals(Set.of("fast_task"), fastSaw);
        assertEquals(Set.of("slow_task"), slowSaw);
    }
}
