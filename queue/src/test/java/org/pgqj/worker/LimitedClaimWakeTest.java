package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/**
 * The jobs that end while the claim loop lets the others of their claim end (so one write carries them all)
 * are written by that write; their wake-ups must not send the loop into another claim right after it, which
 * finds every slot held by the jobs it has just started and nothing to write (a fifth more claims, each
 * with a NextEligibleQuery after it, in a limited drain). Here every claim's jobs block until the test ends
 * them, the first one alone and the others a moment later (inside the loop's coalescing wait): a claim that
 * comes back empty must then come from the loop's 100 ms re-check, never right after the claim before it.
 */
@MigratedQueueTest
class LimitedClaimWakeTest {

    private static final String ENTRYPOINT = "limited_three";
    private static final int LIMIT = 3;
    private static final int JOBS = 46;

    /** What happened, in order: a job's end, a write or a claim (with the thread that made it). */
    private record Event(String kind, long nanos, int count, boolean claimLoop) {
    }

    @Test
    void jobsEndingTogetherCauseOneWriteAndClaimNotAnEmptyClaimAfterIt(TestDatabase db, TestJobs jobs) throws Exception {
        jobs.enqueueMany(ENTRYPOINT, JOBS);
        BlockingQueue<CountDownLatch> running = new LinkedBlockingQueue<>();
        List<Event> events = new CopyOnWriteArrayList<>();
        AtomicInteger ended = new AtomicInteger();
        JobHandler handler = (job, ctx) -> {
            CountDownLatch release = new CountDownLatch(1);
            running.add(release);
            try {
                if (!release.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("job " + job.id() + " was never released");
                }
            } finally {
                events.add(new Event("end", System.nanoTime(), 1, false));
                ended.incrementAndGet();
            }
        };
        WorkerObserver observer = new WorkerObserver() {
            @Override
            public void onClaim(int requested, int claimed, Duration took) {
                events.add(new Event("claim", System.nanoTime(), claimed, onClaimLoop()));
            }

            @Override
            public void onFlush(int written, Duration took) {
                events.add(new Event("write", System.nanoTime(), written, onClaimLoop()));
            }
        };
        try (Worker worker = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint(ENTRYPOINT, EntrypointOptions.builder().concurrencyLimit(LIMIT).build(), handler)
                .options(WorkerOptions.builder().observer(observer).build())
                .build().start()) {
            int released = 0;
            while (released < JOBS) {
                // a claim's jobs: all of them running (3, the last claim 1)
                int batch = Math.min(LIMIT, JOBS - released);
                List<CountDownLatch> group = new ArrayList<>();
                for (int i = 0; i < batch; i++) {
                    CountDownLatch release = running.poll(30, TimeUnit.SECONDS);
                    assertTrue(release != null, "job " + (released + i + 1) + " of " + JOBS + " started");
                    group.add(release);
                }
                group.getFirst().countDown(); // wakes the claim loop, which waits up to 1 ms for the others
                TimeUnit.MICROSECONDS.sleep(400);
                group.subList(1, group.size()).forEach(CountDownLatch::countDown);
                released += batch;
            }
            Await.until("every job ended", Duration.ofSeconds(30), () -> ended.get() == JOBS);
            Await.until("every outcome written", Duration.ofSeconds(30), () -> jobs.queueCount() == 0);
        }

        List<Event> claims = events.stream().filter(e -> e.kind().equals("claim")).toList();
        assertEquals(JOBS, claims.stream().mapToInt(Event::count).sum(), "every job claimed once: " + events);
        // a claim that wrote nothing, on the claim loop, after the claim loop's last claim took jobs, with no job
        // ending in between: only the loop's 100 ms re-check may do that, never a wake-up left over
        Event lastClaim = null;
        boolean endedSince = false;
        boolean wroteJustBefore = false;
        for (Event e : events) {
            switch (e.kind()) {
                case "end" -> endedSince = true;
                case "write" -> wroteJustBefore = e.claimLoop();
                default -> {
                    if (!e.claimLoop()) {
                        continue;
                    }
                    if (!wroteJustBefore && !endedSince && lastClaim != null && lastClaim.count() > 0) {
                        long gapMillis = TimeUnit.NANOSECONDS.toMillis(e.nanos() - lastClaim.nanos());
                        assertTrue(gapMillis >= 50, "a claim with nothing written and no job ended came " + gapMillis
                                + " ms after a claim of " + lastClaim.count() + " (a stale wake-up, not the re-check): " + events);
                    }
                    lastClaim = e;
                    endedSince = false;
                    wroteJustBefore = false;
                }
            }
        }
    }

    private static boolean onClaimLoop() {
        return Thread.currentThread().getName().startsWith("pgqj-claims-");
    }
}
