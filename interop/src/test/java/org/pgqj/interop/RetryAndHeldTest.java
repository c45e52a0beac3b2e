package org.pgqj.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.Job;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.TestProcess;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.RetryRequested;
import org.pgqj.worker.Worker;

/** Retries and held failures written by one language are read, requeued and run by the other. */
@ExtendWith(RequiresPython.class)
@QueueTest
@Timeout(240)
class RetryAndHeldTest {

    static final JobQueue QUEUE = JobQueue.create(QueueTables.defaults());

    @Test
    void pythonRetryRunsOnJavaWithAttemptsOne(TestDatabase db) throws Exception {
        long id = QUEUE.enqueue(Interop.dsl(db), NewJob.of("retry_py", "{}".getBytes()));
        try (PythonWorker py = PythonWorker.start(db, List.of(PythonWorker.entrypoint("retry_py", "mode", "retry",
                "retry_delay_ms", 3000)), c -> c.put("max_jobs", 1))) {
            assertEquals(0, py.awaitStarts(1, Duration.ofSeconds(30)).getFirst().get("attempts").asInt());
            assertEquals(0, py.finish(Duration.ofSeconds(30)).exitCode());
        }
        assertEquals(1, Interop.count(db.dataSource(),
                "SELECT count(*) FROM pgqueuer WHERE id = ? AND status = 'queued' AND attempts = 1 AND queue_manager_id IS NULL", id));
        Runs runs = new Runs();
        try (Worker worker = Interop.warmedUp(db, Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("retry_py", EntrypointOptions.defaults(), (job, ctx) -> runs.started(job)))) {
            runs.awaitDistinct(1, Duration.ofSeconds(30));
            Job seen = runs.first(id).job();
            assertEquals(1, seen.attempts());
            Interop.awaitEmptyQueue(db);
        }
        // log: queued (enqueue), picked, queued with Python's traceback (the retry), picked, successful
        assertEquals(1, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer_log WHERE job_id = ? AND status = 'queued' "
                + "AND traceback->>'exception_type' = 'RetryRequested'", id));
        assertEquals(1, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer_log WHERE job_id = ? AND status = 'successful'", id));
        Interop.report("RetryAndHeldTest.pythonRetryRunsOnJavaWithAttemptsOne", "jobs=1 attempts_seen_by_java=1 lost=0 twice=0");
    }

    @Test
    void javaRetryRunsOnPythonWithAttemptsOne(TestDatabase db) throws Exception {
        long id = runOnceOnJava(db, "retry_java", EntrypointOptions.defaults(),
                new RetryRequested(Duration.ofSeconds(3), "interop: retry once"));
        assertEquals(1, Interop.count(db.dataSource(),
                "SELECT count(*) FROM pgqueuer WHERE id = ? AND status = 'queued' AND attempts = 1", id));
        try (PythonWorker py = PythonWorker.start(db, List.of(PythonWorker.entrypoint("retry_java")))) {
            JsonNode seen = py.awaitStarts(1, Duration.ofSeconds(30)).getFirst();
            assertEquals(id, seen.get("id").asLong());
            assertEquals(1, seen.get("attempts").asInt());
            Interop.awaitEmptyQueue(db);
        }
        assertEquals(1, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer_log WHERE job_id = ? AND status = 'successful'", id));
        Interop.report("RetryAndHeldTest.javaRetryRunsOnPythonWithAttemptsOne", "jobs=1 attempts_seen_by_python=1 lost=0 twice=0");
    }

    @Test
    void javaHeldFailureIsRequeuedByPgqAndRunByPython(TestDatabase db) throws Exception {
        long id = runOnceOnJava(db, "held_java", EntrypointOptions.builder().onFailure(EntrypointOptions.OnFailure.HOLD).build(),
                new IllegalStateException("interop: fails on purpose"));
        TestProcess.Result failed = Interop.pgq(db, "failed", "--json");
        assertEquals(0, failed.exitCode(), failed::toString);
        JsonNode listed = Interop.JSON.readTree(failed.outText());
        assertEquals(1, listed.size(), failed::toString);
        assertEquals(id, listed.get(0).get("id").asLong(), failed::toString);
        TestProcess.Result requeue = Interop.pgq(db, "requeue", Long.toString(id));
        assertEquals(0, requeue.exitCode(), requeue::toString);
        try (PythonWorker py = PythonWorker.start(db, List.of(PythonWorker.entrypoint("held_java")))) {
            JsonNode seen = py.awaitStarts(1, Duration.ofSeconds(30)).getFirst();
            assertEquals(id, seen.get("id").asLong());
            assertEquals(0, seen.get("attempts").asInt(), "pgq requeue resets attempts");
            Interop.awaitEmptyQueue(db);
        }
        Interop.report("RetryAndHeldTest.javaHeldFailureIsRequeuedByPgqAndRunByPython",
                "jobs=1 pgq_failed_listed=1 pgq_requeued=1 lost=0 twice=0");
    }

    @Test
    void pythonHeldFailureIsRequeuedByPgqjAndRunByJava(TestDatabase db) throws Exception {
        long id = QUEUE.enqueue(Interop.dsl(db), NewJob.of("held_py", "{}".getBytes()));
        try (PythonWorker py = PythonWorker.start(db, List.of(PythonWorker.entrypoint("held_py", "mode", "fail",
                "on_failure", "hold")), c -> c.put("max_jobs", 1))) {
            py.awaitStarts(1, Duration.ofSeconds(30));
            assertEquals(0, py.finish(Duration.ofSeconds(30)).exitCode());
        }
        assertEquals(1, Interop.count(db.dataSource(),
                "SELECT count(*) FROM pgqueuer WHERE id = ? AND status = 'failed' AND queue_manager_id IS NULL", id));
        TestProcess.Result failed = Interop.pgqj(db, "failed");
        assertEquals(0, failed.exitCode(), failed::toString);
        assertTrue(failed.out().stream().anyMatch(l -> l.matches("\\s*" + id + "\\s.*held_py.*")), failed::toString);
        TestProcess.Result requeue = Interop.pgqj(db, "requeue", Long.toString(id));
        assertEquals(0, requeue.exitCode(), requeue::toString);
        Runs runs = new Runs();
        try (Worker worker = Interop.warmedUp(db, Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("held_py", EntrypointOptions.defaults(), (job, ctx) -> runs.started(job)))) {
            runs.awaitDistinct(1, Duration.ofSeconds(30));
            assertEquals(0, runs.first(id).job().attempts());
            Interop.awaitEmptyQueue(db);
        }
        assertEquals(1, Interop.count(db.dataSource(),
                "SELECT count(*) FROM pgqueuer_log WHERE job_id = ? AND status = 'failed' AND traceback->>'exception_type' = 'RuntimeError'", id));
        Interop.report("RetryAndHeldTest.pythonHeldFailureIsRequeuedByPgqjAndRunByJava",
                "jobs=1 pgqj_failed_listed=1 pgqj_requeued=1 lost=0 twice=0");
    }

    /**
     * Enqueues one job and lets a Java worker run it once, its handler throwing {@code outcome}; the worker is
     * closed (outcome flushed) before this returns the job's id.
     */
    private static long runOnceOnJava(TestDatabase db, String entrypoint, EntrypointOptions options, RuntimeException outcome)
            throws InterruptedException {
        long id = QUEUE.enqueue(Interop.dsl(db), NewJob.of(entrypoint, "{}".getBytes()));
        CountDownLatch ran = new CountDownLatch(1);
        try (Worker worker = Interop.warmedUp(db, Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint(entrypoint, options, (job, ctx) -> {
                    ran.countDown();
                    throw outcome;
                }))) {
            assertTrue(ran.await(30, TimeUnit.SECONDS), entrypoint + " did not run on the Java worker");
        }
        return id;
    }
}
