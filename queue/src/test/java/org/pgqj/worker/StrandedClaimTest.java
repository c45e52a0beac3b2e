package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/**
 * A claim that committed while its reply was lost (a crash or a dropped connection between COMMIT and
 * the client) leaves rows {@code picked} under the worker's own id that it never runs nor heartbeats.
 * The stale re-pick takes them back, by the same worker too; what it must never take back is a job
 * this worker is still running.
 */
@MigratedQueueTest
class StrandedClaimTest {

    @Test
    void rowsOfALostClaimReplyUnderTheWorkersOwnIdAreRunOnce(TestDatabase db, TestJobs jobs) throws Exception {
        List<Long> ids = List.of(jobs.enqueue("stranded", new byte[0]), jobs.enqueue("stranded", new byte[0]),
                jobs.enqueue("stranded", new byte[0]));
        UUID workerId = UUID.randomUUID();
        // what the lost claim left: picked by this worker's id, heartbeat from before the reply was lost
        jobs.dsl().update(PGQUEUER).set(PGQUEUER.STATUS, PgqueuerStatus.picked).set(PGQUEUER.QUEUE_MANAGER_ID, workerId)
                .set(PGQUEUER.HEARTBEAT, OffsetDateTime.now().minusMinutes(5)).where(PGQUEUER.ID.in(ids)).execute();
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("stranded", EntrypointOptions.defaults(),
                        (job, ctx) -> runs.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet())
                .options(WorkerOptions.builder().workerId(workerId).heartbeatTimeout(Duration.ofSeconds(2))
                        .dequeueTimeout(Duration.ofMillis(200)).build())
                .build().start()) {
            Await.until("the stranded jobs run", Duration.ofSeconds(20), () -> jobs.queueCount() == 0);
        }
        assertEquals(ids.size(), runs.size(), "every stranded job ran: " + runs);
        runs.forEach((id, n) -> assertEquals(1, n.get(), "job " + id + " runs"));
    }

    @Test
    void aJobStillRunningHereIsNotReclaimedByThisWorkerEvenWithAStaleHeartbeat(TestDatabase db, TestJobs jobs) throws Exception {
        long slow = jobs.enqueue("slow", new byte[0]);
        Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("slow", EntrypointOptions.defaults(), (job, ctx) -> {
                    runs.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
                    started.countDown();
                    if (job.id() == slow) {
                        release.await(30, TimeUnit.SECONDS);
                    }
                })
                // heartbeats every 10 s: the forged stale heartbeat below stays stale through the next claims
                .options(WorkerOptions.builder().heartbeatTimeout(Duration.ofSeconds(40))
                        .dequeueTimeout(Duration.ofMillis(100)).build())
                .build().start()) {
            started.await(10, TimeUnit.SECONDS);
            jobs.dsl().update(PGQUEUER).set(PGQUEUER.HEARTBEAT, OffsetDateTime.now().minusMinutes(5))
                    .where(PGQUEUER.ID.eq(slow)).execute();
            long other = jobs.enqueue("slow", new byte[0]); // a claim runs now, with the slow job's row stale
            Await.until("the other job ran", Duration.ofSeconds(10), () -> runs.containsKey(other));
            Thread.sleep(500); // a few more polls
            release.countDown();
            Await.until("both done", Duration.ofSeconds(10), () -> jobs.queueCount() == 0);
        }
        assertEquals(1, runs.get(slow).get(), "the running job was not claimed again by its own worker");
    }
}
