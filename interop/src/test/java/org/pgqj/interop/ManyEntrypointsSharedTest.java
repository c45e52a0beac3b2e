package org.pgqj.interop;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.TestProcess;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * A Python worker and a Java worker both register the same 30 entrypoints, the first 5 with
 * concurrency_limit 2, and drain a backlog both languages enqueued over all of them (issue 32's claim beside
 * pgqueuer's own): every job runs exactly once, with one {@code picked} and one {@code successful} log row; no
 * limited entrypoint ever has more than 2 picked rows or a slot outside 0..1; both languages run jobs.
 */
@ExtendWith(RequiresPython.class)
@QueueTest
@Timeout(300)
class ManyEntrypointsSharedTest {

    static final int ENTRYPOINTS = 30;
    static final int LIMITED = 5;
    static final int LIMIT = 2;
    static final int JOBS = 600;

    private static String ep(int i) {
        return "many_" + i;
    }

    @Test
    void bothLanguagesShareManyEntrypointsExactlyOnceWithinTheLimits(TestDatabase db) throws Exception {
        Runs javaSide = new Runs();
        List<Map<String, Object>> eps = new ArrayList<>();
        Worker.Builder builder = Worker.builder(db.dataSource(), QueueTables.defaults());
        for (int i = 0; i < ENTRYPOINTS; i++) {
            boolean limited = i < LIMITED;
            // the limited ones take a while, so their slots stay held and both languages compete for them
            int sleepMs = limited ? 15 : 0;
            eps.add(PythonWorker.entrypoint(ep(i), "concurrency_limit", limited ? LIMIT : 0, "sleep_ms", sleepMs));
            builder.entrypoint(ep(i), EntrypointOptions.builder().concurrencyLimit(limited ? LIMIT : 0).build(), (job, ctx) -> {
                javaSide.started(job);
                Thread.sleep(sleepMs);
            });
        }
        try (PythonWorker py = PythonWorker.start(db, eps, c -> c.put("batch_size", 10));
             Worker worker = Interop.warmedUp(db, builder, WorkerOptions.builder().batchSize(10))) {
            AtomicBoolean sampling = new AtomicBoolean(true);
            AtomicInteger maxPicked = new AtomicInteger();
            AtomicInteger maxSlot = new AtomicInteger(-1);
            AtomicInteger samples = new AtomicInteger();
            Thread sampler = Thread.ofPlatform().name("picked-sampler").start(() -> {
                try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                        "SELECT coalesce(max(n), 0), coalesce(max(top), -1) FROM (SELECT count(*) AS n, max(slot) AS top"
                                + " FROM pgqueuer WHERE status = 'picked' AND entrypoint = ANY(?) GROUP BY entrypoint) per")) {
                    ps.setArray(1, c.createArrayOf("text", IntStream.range(0, LIMITED)
                            .mapToObj(ManyEntrypointsSharedTest::ep).toArray()));
                    while (sampling.get()) {
                        try (ResultSet rs = ps.executeQuery()) {
                            rs.next();
                            maxPicked.accumulateAndGet(rs.getInt(1), Math::max);
                            maxSlot.accumulateAndGet(rs.getInt(2), Math::max);
                            samples.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });

            // half the backlog from Python, half from Java, over every entrypoint, priorities mixed
            List<Map<String, Object>> pyJobs = new ArrayList<>();
            List<NewJob> javaJobs = new ArrayList<>();
            for (int i = 0; i < JOBS / 2; i++) {
                pyJobs.add(Map.of("entrypoint", ep(i % ENTRYPOINTS), "payload", "py-" + i, "priority", i % 7));
                javaJobs.add(NewJob.builder(ep((i * 7) % ENTRYPOINTS)).payload(("java-" + i).getBytes(UTF_8))
                        .priority(i % 5).build());
            }
            TestProcess pyEnqueue = Interop.startPython(db, "enqueue", "--jobs", Interop.json(pyJobs));
            JobQueue.create(QueueTables.defaults()).enqueueAll(Interop.dsl(db), javaJobs);
            assertEquals(0, pyEnqueue.finish(Duration.ofSeconds(60)).exitCode());

            long deadline = System.nanoTime() + Duration.ofSeconds(180).toNanos();
            while (javaSide.distinct() + py.startsById().size() < JOBS && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Interop.awaitEmptyQueue(db);
            sampling.set(false);
            sampler.join();

            Set<Long> pyIds = new HashSet<>();
            long twice = javaSide.twice() + py.twice();
            for (JsonNode e : py.starts()) {
                long id = e.get("id").asLong();
                if (!pyIds.add(id) || javaSide.ran(id)) {
                    twice++;
                }
            }
            int javaRuns = javaSide.distinct();
            long ran = pyIds.size() + javaRuns;
            long picked = Interop.count(db.dataSource(),
                    "SELECT count(*) FROM pgqueuer_log WHERE entrypoint LIKE 'many\\_%' AND status = 'picked'");
            long successful = Interop.count(db.dataSource(),
                    "SELECT count(*) FROM pgqueuer_log WHERE entrypoint LIKE 'many\\_%' AND status = 'successful'");
            Interop.report("ManyEntrypointsSharedTest.bothLanguagesShareManyEntrypointsExactlyOnceWithinTheLimits",
                    "jobs=" + JOBS + " entrypoints=" + ENTRYPOINTS + " limited=" + LIMITED + "x" + LIMIT
                            + " max_picked=" + maxPicked.get() + " max_slot=" + maxSlot.get() + " samples=" + samples.get()
                            + " java_ran=" + javaRuns + " python_ran=" + pyIds.size() + " lost=" + (JOBS - ran)
                            + " twice=" + twice);
            assertEquals(0, twice, "jobs run twice");
            assertEquals(JOBS, ran, "jobs run");
            assertEquals(JOBS, picked, "one picked log row per job");
            assertEquals(JOBS, successful, "one successful log row per job");
            assertTrue(maxPicked.get() <= LIMIT, "picked at once on a limited entrypoint: " + maxPicked.get());
            assertTrue(maxSlot.get() < LIMIT, "slot " + maxSlot.get() + " outside 0.." + (LIMIT - 1));
            assertTrue(javaRuns > 0 && !pyIds.isEmpty(), "both languages ran jobs: java " + javaRuns + ", python " + pyIds.size());
            assertTrue(samples.get() > 20, "too few samples: " + samples.get());
        }
    }
}
