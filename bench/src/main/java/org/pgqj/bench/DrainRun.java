package org.pgqj.bench;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * Drain: N jobs pre-enqueued, then the workers (in this JVM, or in {@code --processes} child JVMs) start in
 * drain mode; time until every one has stopped.
 */
final class DrainRun {

    private DrainRun() {
    }

    static Map<String, Object> run(BenchOptions o, BenchJobs jobs, BenchDatabase db) throws Exception {
        int n = o.jobCount();
        jobs.foreignBacklog();
        jobs.delayedBacklog();
        double prefillSeconds = jobs.prefill(n);
        LongAdder handled = new LongAdder();
        CountDownLatch allHandled = new CountDownLatch(n);
        List<Worker> workers = new ArrayList<>();
        WorkerProcesses processes = null;
        // a drain-mode worker waits for every queued row, the delayed ones too: then the run ends at n handled
        boolean untilHandled = o.delayedBacklog() > 0;
        if (o.processes() > 1) {
            processes = WorkerProcesses.start(o, db.tables().names().schema());
        } else {
            for (int i = 0; i < o.workers(); i++) {
                workers.add(jobs.worker(untilHandled ? WorkerOptions.Mode.CONTINUOUS : WorkerOptions.Mode.DRAIN,
                        (job, ctx) -> {
                            handled.increment();
                            allHandled.countDown();
                        }));
            }
        }
        Duration limit = Duration.ofSeconds(60 + n / 1_000);
        Map<String, Object> jvm;
        Map<String, Object> server;
        long start;
        long end;
        try (WorkerProcesses children = processes; JvmStats stats = JvmStats.start()) {
            ServerStats window = ServerStats.start(db.dataSource(), db.tables().names().schema());
            start = System.nanoTime();
            if (children != null) {
                children.go();
                handled.add(children.awaitDone(limit));
            } else if (untilHandled) {
                runUntilHandled(workers, limit, allHandled, handled);
            } else {
                runAll(workers, limit, handled);
            }
            end = System.nanoTime();
            server = window.finish(n);
            jvm = stats.finish();
        }
        double seconds = (end - start) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jobs", n);
        m.put("workers", o.workers());
        m.put("processes", o.processes());
        m.put("entrypoints", o.entrypoints());
        m.put("limited", o.limited());
        m.put("batch_size", o.batchSize());
        m.put("max_batch_size", o.maxBatchSize().map(String::valueOf).orElse("default"));
        m.put("seconds", seconds);
        m.put("jobs_per_s", n / seconds);
        m.put("handled", handled.sum());
        m.put("remaining_rows", jobs.rows());
        m.put("prefill_jobs_per_s", n / prefillSeconds);
        m.put("server", server);
        m.put("jvm", jvm);
        return m;
    }

    /** Runs continuous-mode {@code workers} until their handlers ran every job counted by {@code allHandled}. */
    private static void runUntilHandled(List<Worker> workers, Duration limit, CountDownLatch allHandled,
            LongAdder handled) throws InterruptedException {
        try {
            workers.forEach(Worker::start);
            if (!allHandled.await(limit.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IllegalStateException("The run did not finish within " + limit + " (" + handled.sum()
                        + " handled)");
            }
        } finally {
            workers.forEach(Worker::close);
        }
    }

    /**
     * Runs drain-mode {@code workers} until each has stopped ({@code run()} returns once a worker found nothing
     * left and closed, its last completions written); fails after {@code limit}, naming {@code handled}.
     */
    static void runAll(List<Worker> workers, Duration limit, LongAdder handled) throws InterruptedException {
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        for (Worker w : workers) {
            threads.add(Thread.ofPlatform().name("pgqj-bench-drain").start(() -> {
                try {
                    w.run();
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        long deadline = System.nanoTime() + limit.toNanos();
        for (Thread t : threads) {
            t.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
        }
        if (threads.stream().anyMatch(Thread::isAlive)) {
            workers.forEach(Worker::close);
            throw new IllegalStateException("The drain did not finish within " + limit + " (" + handled.sum() + " handled)");
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("A worker failed: " + errors.getFirst(), errors.getFirst());
        }
    }
}
