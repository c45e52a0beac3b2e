package org.pgqj.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.enqueue.OnConflict;
import org.pgqj.testing.Await;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.TestProcess;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;

/**
 * {@code pgqj cancel} of 10,000 ids, some of them running on a Python pgqueuer worker and some on a Java one: the
 * cancellation goes out as several NOTIFY payloads (one would exceed PostgreSQL's 8000 bytes), each a whole
 * {@code cancellation_event} that Python's pydantic model and Java's parser read alone, so each worker sees the
 * cancel of every job it runs, wherever in the list its id falls.
 */
@ExtendWith(RequiresPython.class)
@QueueTest
@Timeout(300)
class BulkCancelAcrossTest {

    static final int JOBS = 10_000;
    /** Per 500 jobs one runs on Python and one on Java: 20 each, spread over every payload. */
    static final int EVERY = 500;

    @Test
    void pythonAndJavaWorkersSeeEachOfTheirCancellations(TestDatabase db) throws Exception {
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            String entrypoint = switch (i % EVERY) {
                case EVERY / 4 -> "py_bulk";
                case 3 * EVERY / 4 -> "java_bulk";
                default -> "bulk_idle"; // nobody runs these: they are canceled while queued
            };
            jobs.add(NewJob.of(entrypoint, new byte[0]));
        }
        Set<Long> javaRunning = ConcurrentHashMap.newKeySet();
        Set<Long> javaCancelled = ConcurrentHashMap.newKeySet();
        try (PythonWorker py = PythonWorker.start(db, List.of(PythonWorker.entrypoint("py_bulk", "mode", "cancel",
                     "cancel_wait_s", 120)));
             Worker java = Interop.warmedUp(db, Worker.builder(db.dataSource(), QueueTables.defaults())
                     .entrypoint("java_bulk", EntrypointOptions.defaults(), (job, ctx) -> {
                         javaRunning.add(job.id());
                         try {
                             Thread.sleep(Duration.ofMinutes(2));
                         } catch (InterruptedException e) {
                             if (ctx.isCancelled()) {
                                 javaCancelled.add(job.id());
                             }
                         }
                     }))) {
            List<Long> ids = JobQueue.create(QueueTables.defaults()).enqueue(Interop.dsl(db), jobs, OnConflict.RAISE)
                    .writtenIds();
            int each = JOBS / EVERY;
            Set<Long> pyRunning = py.awaitStarts(each, Duration.ofSeconds(60)).stream().map(e -> e.get("id").asLong())
                    .collect(Collectors.toSet());
            Await.until("the Java worker runs its " + each + " jobs", Duration.ofSeconds(60), () -> javaRunning.size() == each);
            assertEquals(each, pyRunning.size());

            List<String> args = new ArrayList<>(List.of("cancel"));
            ids.forEach(id -> args.add(Long.toString(id)));
            long sent = Interop.nowMicros();
            TestProcess.Result cancel = Interop.pgqj(db, args.toArray(String[]::new));

            assertEquals(0, cancel.exitCode(), cancel.toString().substring(0, Math.min(2_000, cancel.toString().length())));
            Set<Long> pyCancelled = py.awaitEvents("cancelled", each, Duration.ofSeconds(60)).stream()
                    .map(e -> e.get("id").asLong()).collect(Collectors.toSet());
            assertEquals(pyRunning, pyCancelled, "the Python worker saw each of its cancellations");
            assertEquals(0, py.events("not_cancelled").size());
            Await.until("the Java worker saw each of its cancellations", Duration.ofSeconds(60),
                    () -> javaCancelled.equals(javaRunning));
            Interop.awaitEmptyQueue(db);
            long seen = py.events("cancelled").stream().mapToLong(e -> e.get("t").asLong()).max().orElseThrow();
            Interop.report("BulkCancelAcrossTest", "jobs=" + JOBS + " py_running=" + pyRunning.size() + " java_running="
                    + javaRunning.size() + " pgqj_cancel_start_to_last_py_handler_ms=" + (seen - sent) / 1000);
        }
        assertEquals(JOBS, Interop.count(db.dataSource(), "SELECT count(DISTINCT job_id) FROM pgqueuer_log WHERE status = 'canceled'"));
        assertEquals(JOBS, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer_log WHERE status = 'canceled'"),
                "each job logged canceled once");
        assertEquals(0, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer_log "
                + "WHERE status IN ('successful', 'exception') AND entrypoint NOT LIKE 'warmup_%'"));
    }
}
