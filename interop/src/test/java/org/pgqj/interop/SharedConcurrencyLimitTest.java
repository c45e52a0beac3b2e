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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * Two Python workers and a Java worker serve one entrypoint with concurrency_limit 3: the number of
 * {@code picked} rows, sampled from the table while they drain a mixed Python/Java backlog, never exceeds 3.
 */
@ExtendWith(RequiresPython.class)
@QueueTest
@Timeout(240)
class SharedConcurrencyLimitTest {

    static final int LIMIT = 3;
    static final int JOBS = 90;

    @Test
    void neverMoreThanTheLimitPickedAcrossLanguages(TestDatabase db) throws Exception {
        Runs java = new Runs();
        List<Map<String, Object>> eps = List.of(PythonWorker.entrypoint("shared", "concurrency_limit", LIMIT, "sleep_ms", 60));
        try (PythonWorker py1 = PythonWorker.start(db, eps, c -> c.put("batch_size", 2));
             PythonWorker py2 = PythonWorker.start(db, eps, c -> c.put("batch_size", 2));
             Worker worker = Interop.warmedUp(db, Worker.builder(db.dataSource(), QueueTables.defaults())
                     .entrypoint("shared", EntrypointOptions.builder().concurrencyLimit(LIMIT).build(), (job, ctx) -> {
                         java.started(job);
                         Thread.sleep(60);
                     }), WorkerOptions.builder().batchSize(2))) {
            AtomicBoolean sampling = new AtomicBoolean(true);
            AtomicInteger maxPicked = new AtomicInteger();
            AtomicInteger samples = new AtomicInteger();
            AtomicInteger maxSlot = new AtomicInteger(-1);
            Thread sampler = Thread.ofPlatform().name("picked-sampler").start(() -> {
                try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*), coalesce(max(slot), -1) FROM pgqueuer WHERE entrypoint = 'shared' AND status = 'picked'")) {
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

            // half the backlog from Python, half from Java, interleaved
            List<Map<String, Object>> pyJobs = new ArrayList<>();
            for (int i = 0; i < JOBS / 2; i++) {
                pyJobs.add(Map.of("entrypoint", "shared", "payload", "py-" + i));
            }
            org.pgqj.testing.TestProcess pyEnqueue = Interop.startPython(db, "enqueue", "--jobs", Interop.json(pyJobs));
            List<NewJob> javaJobs = new ArrayList<>();
            for (int i = 0; i < JOBS / 2; i++) {
                javaJobs.add(NewJob.of("shared", ("java-" + i).getBytes(UTF_8)));
            }
            JobQueue.create(QueueTables.defaults()).enqueueAll(Interop.dsl(db), javaJobs);

            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (java.distinct() + py1.starts().size() + py2.starts().size() < JOBS && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Interop.awaitEmptyQueue(db);
            sampling.set(false);
            assertEquals(0, pyEnqueue.finish(Duration.ofSeconds(30)).exitCode());
            sampler.join();

            Set<Long> all = new HashSet<>();
            long twice = java.twice() + py1.twice() + py2.twice();
            List<Long> pyIds = new ArrayList<>();
            for (PythonWorker py : List.of(py1, py2)) {
                for (JsonNode e : py.starts()) {
                    pyIds.add(e.get("id").asLong());
                }
            }
            for (long id : pyIds) {
                if (!all.add(id) || java.ran(id)) {
                    twice++;
                }
            }
            int javaRuns = java.distinct();
            long ran = pyIds.size() + javaRuns;
            long successful = Interop.count(db.dataSource(),
                    "SELECT count(*) FROM pgqueuer_log WHERE entrypoint = 'shared' AND status = 'successful'");
            Interop.report("SharedConcurrencyLimitTest.neverMoreThanTheLimitPickedAcrossLanguages",
                    "jobs=" + JOBS + " limit=" + LIMIT + " max_picked=" + maxPicked.get() + " max_slot=" + maxSlot.get()
                            + " samples=" + samples.get() + " java_ran=" + javaRuns + " python_ran=" + pyIds.size()
                            + " lost=" + (JOBS - ran) + " twice=" + twice);
            assertTrue(maxPicked.get() <= LIMIT, "picked at once: " + maxPicked.get() + " > limit " + LIMIT);
            assertTrue(maxSlot.get() < LIMIT, "slot " + maxSlot.get() + " outside 0.." + (LIMIT - 1));
            assertEquals(0, twice, "jobs run twice");
            assertEquals(JOBS, ran, "jobs run");
            assertEquals(JOBS, successful, "successful log rows");
            assertTrue(javaRuns > 0 && !pyIds.isEmpty(), "both languages ran jobs: java " + javaRuns + ", python " + pyIds.size());
            assertTrue(samples.get() > 50, "too few samples: " + samples.get());
        }
    }
}
