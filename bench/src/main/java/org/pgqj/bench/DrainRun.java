package org.pgqj.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/** Drain: N jobs pre-enqueued, then the workers start in drain mode; time until every one has stopped. */
final class DrainRun {

    private DrainRun() {
    }

    static Map<String, Object> run(BenchOptions o, BenchJobs jobs) throws Exception {
        int n = o.jobCount();
        double prefillSeconds = jobs.prefill(n);
        LongAdder handled = new LongAdder();
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < o.workers(); i++) {
            workers.add(jobs.worker(o, WorkerOptions.Mode.DRAIN, (job, ctx) -> handled.increment()));
        }
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        Map<String, Object> jvm;
        long start;
        long end;
        try (JvmStats stats = JvmStats.start()) {
            start = System.nanoTime();
            for (Worker w : workers) {
                // run() returns once the worker found nothing left and closed (its last completions written)
                threads.add(Thread.ofPlatform().name("pgqj-bench-drain").start(() -> {
                    try {
                        w.run();
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            Duration limit = Duration.ofSeconds(60 + n / 1_000);
            long deadline = System.nanoTime() + limit.toNanos();
            for (Thread t : threads) {
                t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            }
            end = System.nanoTime();
            if (threads.stream().anyMatch(Thread::isAlive)) {
                workers.forEach(Worker::close);
                throw new IllegalStateException("The drain of " + n + " jobs did not finish within " + limit
                        + " (" + handled.sum() + " handled)");
            }
            jvm = stats.finish();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("A worker failed: " + errors.getFirst(), errors.getFirst());
        }
        double seconds = (end - start) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jobs", n);
        m.put("workers", o.workers());
        m.put("batch_size", o.batchSize());
        m.put("max_batch_size", o.maxBatchSize().map(String::valueOf).orElse("default"));
        m.put("seconds", seconds);
        m.put("jobs_per_s", n / seconds);
        m.put("handled", handled.sum());
        m.put("remaining_rows", jobs.rows());
        m.put("prefill_jobs_per_s", n / prefillSeconds);
        m.put("jvm", jvm);
        return m;
    }
}
