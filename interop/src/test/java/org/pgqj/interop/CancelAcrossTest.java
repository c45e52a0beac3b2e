package org.pgqj.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.Await;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;

/** A cancel from one language reaches a handler running in the other. */
@ExtendWith(RequiresPython.class)
@QueueTest
@Timeout(180)
class CancelAcrossTest {

    static final int ROUNDS = 5;
    static final JobQueue QUEUE = JobQueue.create(QueueTables.defaults());

    @Test
    void javaCancelsAPythonHandler(TestDatabase db) throws InterruptedException {
        Interop.Latency latency = new Interop.Latency();
        try (PythonWorker py = PythonWorker.start(db, List.of(PythonWorker.entrypoint("py_cancel", "mode", "cancel")))) {
            for (int i = 0; i < ROUNDS; i++) {
                long id = QUEUE.enqueue(Interop.dsl(db), NewJob.of("py_cancel", new byte[0]));
                py.awaitStarts(i + 1, Duration.ofSeconds(30));
                long sent = Interop.nowMicros();
                assertEquals(List.of(id), QueueAdmin.create(QueueTables.defaults()).cancel(Interop.dsl(db), List.of(id)));
                JsonNode seen = py.awaitEvents("cancelled", i + 1, Duration.ofSeconds(30)).get(i);
                assertEquals(id, seen.get("id").asLong());
                latency.add(sent, seen.get("t").asLong());
            }
            assertEquals(0, py.events("not_cancelled").size());
            awaitLogged(db, "py_cancel");
        }
        Interop.report("CancelAcrossTest.javaCancelsAPythonHandler", "jobs=" + ROUNDS + " cancelled=" + latency.size()
                + " " + latency.figures("java_cancel_to_py_handler"));
    }

    @Test
    void pythonCancelsAJavaHandler(TestDatabase db) throws Exception {
        Map<Long, Long> cancelledAt = new ConcurrentHashMap<>();
        Map<Long, CountDownLatch> started = new ConcurrentHashMap<>();
        Interop.Latency latency = new Interop.Latency();
        try (Worker worker = Interop.warmedUp(db, Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("java_cancel", EntrypointOptions.defaults(), (job, ctx) -> {
                    started.computeIfAbsent(job.id(), k -> new CountDownLatch(1)).countDown();
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    while (!ctx.isCancelled() && System.nanoTime() < deadline) {
                        try {
                            Thread.sleep(1);
                        } catch (InterruptedException e) {
                            break; // the worker interrupts a cancelled handler
                        }
                    }
                    if (ctx.isCancelled()) {
                        cancelledAt.put(job.id(), Interop.nowMicros());
                    }
                }))) {
            for (int i = 0; i < ROUNDS; i++) {
                long id = QUEUE.enqueue(Interop.dsl(db), NewJob.of("java_cancel", new byte[0]));
                assertTrue(started.computeIfAbsent(id, k -> new CountDownLatch(1)).await(30, TimeUnit.SECONDS), "job started");
                JsonNode sent = Interop.runPython(db, "cancel", Long.toString(id)).getFirst();
                Await.until("the Java handler of " + id + " sees the cancel", Duration.ofSeconds(30),
                        () -> cancelledAt.containsKey(id));
                latency.add(sent.get("sending_t").asLong(), cancelledAt.get(id));
            }
            awaitLogged(db, "java_cancel");
        }
        Interop.report("CancelAcrossTest.pythonCancelsAJavaHandler", "jobs=" + ROUNDS + " cancelled=" + latency.size()
                + " " + latency.figures("py_cancel_to_java_handler"));
    }

    /** Every job of the entrypoint is gone from the queue and logged canceled exactly once. */
    private static void awaitLogged(TestDatabase db, String entrypoint) throws InterruptedException {
        Await.until("no job of " + entrypoint + " left in the queue table", Duration.ofSeconds(10),
                () -> Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer WHERE entrypoint = ?", entrypoint) == 0);
        assertEquals(ROUNDS, Interop.count(db.dataSource(),
                "SELECT count(*) FROM pgqueuer_log WHERE entrypoint = ? AND status = 'canceled'", entrypoint));
        assertEquals(0, Interop.count(db.dataSource(),
                "SELECT count(*) FROM pgqueuer_log WHERE entrypoint = ? AND status IN ('successful', 'exception')", entrypoint));
    }
}
