package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/**
 * The limited entrypoint's path: the claim loop writes finished jobs with its next claim in one round trip.
 * Two workers share an entrypoint limited to 4 while jobs succeed, retry once and fail: the database never
 * holds more than 4 picked rows of it nor a slot outside 0..3, every attempt runs once, and every job ends with
 * exactly pgqueuer's log rows for what happened to it.
 */
@MigratedQueueTest
class LimitedEntrypointPathTest {

    private static final String ENTRYPOINT = "limited_four";
    private static final int LIMIT = 4;
    private static final int JOBS = 600;

    @Test
    void twoWorkersKeepTheLimitAndEveryOutcomeIsWrittenOnce(TestDatabase db, TestJobs jobs) throws Exception {
        jobs.enqueueMany(ENTRYPOINT, JOBS); // payload n = 1..600
        Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
        AtomicInteger ended = new AtomicInteger();
        JobHandler handler = (job, ctx) -> {
            int n = Integer.parseInt(new String(job.payload(), StandardCharsets.UTF_8));
            int attempt = attempts.computeIfAbsent(n, k -> new AtomicInteger()).incrementAndGet();
            try {
                if (n % 7 == 0 && attempt == 1) {
                    throw new RetryRequested(Duration.ZERO, "once more");
                }
                if (n % 11 == 0) {
                    throw new IllegalStateException("job " + n + " fails");
                }
            } finally {
                ended.incrementAndGet();
            }
        };
        int retried = JOBS / 7;
        int expectedAttempts = JOBS + retried;

        AtomicBoolean sampling = new AtomicBoolean(true);
        AtomicLong maxPicked = new AtomicLong();
        AtomicLong maxSlot = new AtomicLong(-1);
        AtomicInteger samples = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().start(() -> {
            DSLContext dsl = QueueTables.defaults().dsl(db.dataSource());
            while (sampling.get()) {
                var r = dsl.select(DSL.count(), DSL.max(PGQUEUER.SLOT)).from(PGQUEUER)
                        .where(PGQUEUER.ENTRYPOINT.eq(ENTRYPOINT), PGQUEUER.STATUS.eq(PgqueuerStatus.picked)).fetchOne();
                maxPicked.accumulateAndGet(r.value1(), Math::max);
                if (r.value2() != null) {
                    maxSlot.accumulateAndGet(r.value2(), Math::max);
                }
                samples.incrementAndGet();
            }
        });
        EntrypointOptions limited = EntrypointOptions.builder().concurrencyLimit(LIMIT).build();
        List<Worker> workers = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                workers.add(Worker.builder(db.dataSource(), QueueTables.defaults())
                        .entrypoint(ENTRYPOINT, limited, handler)
                        .options(WorkerOptions.builder().batchSize(2).build())
                        .build().start());
            }
            Await.until("every attempt ran and the queue is empty", Duration.ofSeconds(90),
                    () -> ended.get() == expectedAttempts && jobs.queueCount() == 0);
        } finally {
            workers.forEach(Worker::close);
            sampling.set(false);
            sampler.join();
        }

        assertTrue(samples.get() > 10, "the sampler looked " + samples.get() + " times");
        assertTrue(maxPicked.get() > 0, "the sampler saw jobs picked");
        assertTrue(maxPicked.get() <= LIMIT, "at most " + LIMIT + " picked at once, saw " + maxPicked.get());
        assertTrue(maxSlot.get() < LIMIT, "slots 0.." + (LIMIT - 1) + " only, saw " + maxSlot.get());
        assertEquals(JOBS, attempts.size(), "every job ran");
        for (int n = 1; n <= JOBS; n++) {
            assertEquals(n % 7 == 0 ? 2 : 1, attempts.get(n).get(), "attempts of job " + n);
        }
        // every job's log rows, oldest first, grouped by job (payload n identifies the job)
        Map<Long, List<PgqueuerStatus>> logs = new ConcurrentHashMap<>();
        jobs.dsl().select(PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS).from(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.ENTRYPOINT.eq(ENTRYPOINT)).orderBy(PGQUEUER_LOG.ID)
                .forEach(r -> logs.computeIfAbsent(r.value1(), k -> new ArrayList<>()).add(r.value2()));
        assertEquals(JOBS, logs.size());
        Map<List<PgqueuerStatus>, Integer> shapes = new ConcurrentHashMap<>();
        logs.values().forEach(l -> shapes.merge(l, 1, Integer::sum));
        var q = PgqueuerStatus.queued;
        var p = PgqueuerStatus.picked;
        int failing = JOBS / 11;
        int both = JOBS / 77; // multiples of 77 retry once, then fail
        assertEquals(Map.of(
                List.of(q, p, PgqueuerStatus.successful), JOBS - retried - failing + both,
                List.of(q, p, q, p, PgqueuerStatus.successful), retried - both,
                List.of(q, p, PgqueuerStatus.exception), failing - both,
                List.of(q, p, q, p, PgqueuerStatus.exception), both), shapes);
    }
}
