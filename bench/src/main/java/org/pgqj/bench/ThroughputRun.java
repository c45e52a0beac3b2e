package org.pgqj.bench;

import java.sql.Connection;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.jooq.DSLContext;
import org.pgqj.enqueue.NewJob;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * Throughput: producers (each on its own connection, {@code enqueueAll} of the enqueue batch size per
 * statement) and workers run side by side for the duration; jobs/s enqueued and completed.
 */
final class ThroughputRun {

    private ThroughputRun() {
    }

    static Map<String, Object> run(BenchOptions o, BenchJobs jobs, BenchDatabase db) throws Exception {
        LongAdder handled = new LongAdder();
        LongAdder enqueued = new LongAdder();
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < o.workers(); i++) {
            workers.add(jobs.worker(o, WorkerOptions.Mode.CONTINUOUS, (job, ctx) -> handled.increment()));
        }
        List<NewJob> batch = BenchJobs.batch(o.enqueueBatchSize());
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        Map<String, Object> jvm;
        double seconds;
        long handledInWindow;
        long enqueuedInWindow;
        try (JvmStats stats = JvmStats.start()) {
            workers.forEach(Worker::start);
            long start = System.nanoTime();
            long deadline = start + o.duration().toNanos();
            List<Thread> producers = new ArrayList<>();
            for (int i = 0; i < o.producers(); i++) {
                producers.add(Thread.ofPlatform().name("pgqj-bench-producer-" + i).start(() -> {
                    try (Connection c = db.dataSource().getConnection()) {
                        DSLContext dsl = jobs.dsl(c);
                        while (System.nanoTime() < deadline) {
                            jobs.queue().enqueueAll(dsl, batch);
                            enqueued.add(batch.size());
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
            seconds = (end - start) / 1e9;
            workers.forEach(Worker::close); // running jobs finish, their completions are written
            jvm = stats.finish();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("A producer failed: " + errors.getFirst(), errors.getFirst());
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seconds", seconds);
        m.put("producers", o.producers());
        m.put("enqueue_batch_size", o.enqueueBatchSize());
        m.put("workers", o.workers());
        m.put("batch_size", o.batchSize());
        m.put("max_batch_size", o.maxBatchSize().map(String::valueOf).orElse("default"));
        m.put("enqueued", enqueuedInWindow);
        m.put("completed", handledInWindow);
        m.put("enqueued_per_s", enqueuedInWindow / seconds);
        m.put("completed_per_s", handledInWindow / seconds);
        m.put("completed_after_close", handled.sum());
        m.put("remaining_rows", jobs.rows());
        m.put("jvm", jvm);
        return m;
    }
}
