package org.pgqj.bench;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.jooq.DSLContext;
import org.pgqj.worker.JobHandler;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * Throughput: after an optional {@code --backlog}, producers (each on its own connection, {@code enqueueAll} of
 * the enqueue batch size per statement; flat out, or paced to {@code --rate} jobs/s together) and workers run side
 * by side for the duration; jobs/s enqueued and completed, and at a steady rate the enqueue -> handler start
 * percentiles (the job's {@code created}, the database's clock, to the handler's start).
 */
final class ThroughputRun {

    private ThroughputRun() {
    }

    static Map<String, Object> run(BenchOptions o, BenchJobs jobs, BenchDatabase db) throws Exception {
        jobs.foreignBacklog();
        jobs.delayedBacklog();
        if (o.backlog() > 0) {
            jobs.prefill(o.backlog());
        }
        LongAdder handled = new LongAdder();
        LongAdder enqueued = new LongAdder();
        ConcurrentLinkedQueue<Long> waitMicros = new ConcurrentLinkedQueue<>();
        JobHandler handler = o.rate() > 0
                ? (job, ctx) -> {
                    waitMicros.add(Duration.between(job.created(), Instant.now()).toNanos() / 1_000);
                    handled.increment();
                }
                : (job, ctx) -> handled.increment();
        List<Worker> workers = new ArrayList<>();
        WorkerProcesses processes = null;
        if (o.processes() > 1) {
            processes = WorkerProcesses.start(o, db.tables().names().schema());
        } else {
            for (int i = 0; i < o.workers(); i++) {
                workers.add(jobs.worker(WorkerOptions.Mode.CONTINUOUS, handler));
            }
        }
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        Map<String, Object> jvm;
        Map<String, Object> server;
        double seconds;
        long handledInWindow;
        long enqueuedInWindow;
        long rowsBefore = jobs.rows();
        long rowsAtEnd;
        long completed;
        try (WorkerProcesses children = processes; JvmStats stats = JvmStats.start()) {
            ServerStats window = ServerStats.start(db.dataSource(), db.tables().names().schema());
            if (children != null) {
                children.go();
            } else {
                workers.forEach(Worker::start);
            }
            long start = System.nanoTime();
            long deadline = start + o.duration().toNanos();
            // at --rate, each producer sends its batches on a fixed schedule (falling behind does not lower the rate)
            long batchNanos = o.rate() == 0 ? 0 : (long) (1e9 * o.enqueueBatchSize() * o.producers() / o.rate());
            List<Thread> producers = new ArrayList<>();
            for (int i = 0; i < o.producers(); i++) {
                long offset = batchNanos * i / o.producers();
                producers.add(Thread.ofPlatform().name("pgqj-bench-producer-" + i).start(() -> {
                    try (Connection c = db.dataSource().getConnection()) {
                        DSLContext dsl = jobs.dsl(c);
                        long next = start + offset;
                        while (System.nanoTime() < deadline) {
                            if (batchNanos > 0) {
                                long wait = next - System.nanoTime();
                                if (wait > 0) {
                                    LockSupport.parkNanos(wait);
                                }
                                next += batchNanos;
                                if (next > deadline) {
                                    break;
                                }
                            }
                            jobs.queue().enqueueAll(dsl, jobs.batch(o.enqueueBatchSize()));
                            enqueued.add(o.enqueueBatchSize());
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread t : producers) {
                t.join();
            }
            long end = System.nanoTime();
            handledInWindow = handled.sum();
            enqueuedInWindow = enqueued.sum();
            rowsAtEnd = jobs.rows();
            seconds = (end - start) / 1e9;
            // child processes' handlers are not counted live: what left the queue table in the window is
            completed = children != null ? rowsBefore + enqueuedInWindow - rowsAtEnd : handledInWindow;
            server = window.finish(completed);
            if (children != null) {
                children.stop();
                handled.add(children.awaitDone(Duration.ofMinutes(5)));
            } else {
                workers.forEach(Worker::close); // running jobs finish, their completions are written
            }
            jvm = stats.finish();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("A producer failed: " + errors.getFirst(), errors.getFirst());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", seconds);
        m.put("producers", o.producers());
        m.put("enqueue_batch_size", o.enqueueBatchSize());
        m.put("rate", o.rate());
        m.put("backlog", o.backlog());
        m.put("workers", o.workers());
        m.put("processes", o.processes());
        m.put("entrypoints", o.entrypoints());
        m.put("limited", o.limited());
        m.put("batch_size", o.batchSize());
        m.put("max_batch_size", o.maxBatchSize().map(String::valueOf).orElse("default"));
        m.put("enqueued", enqueuedInWindow);
        m.put("completed", completed);
        m.put("completed_counted_by", o.processes() > 1 ? "queue rows (picked ones count as not completed)" : "handlers");
        m.put("enqueued_per_s", enqueuedInWindow / seconds);
        m.put("completed_per_s", completed / seconds);
        m.put("completed_after_close", handled.sum());
        m.put("rows_at_window_end", rowsAtEnd);
        m.put("remaining_rows", jobs.rows());
        if (!waitMicros.isEmpty()) {
            long[] sorted = waitMicros.stream().mapToLong(Long::longValue).sorted().toArray();
            m.put("wait_jobs", sorted.length);
            m.put("wait_p50_ms", LatencyRun.percentile(sorted, 50) / 1e3);
            m.put("wait_p99_ms", LatencyRun.percentile(sorted, 99) / 1e3);
            m.put("wait_max_ms", sorted[sorted.length - 1] / 1e3);
        }
        m.put("server", server);
        m.put("jvm", jvm);
        return m;
    }
}
