package org.pgqj.bench;

import java.sql.Connection;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.pgqj.enqueue.NewJob;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * Latency: one idle worker; one job enqueued at a time (its own auto-commit transaction), the next
 * only after the handler of the last one started. Enqueue-to-handler-start is measured with
 * {@link System#nanoTime()} on both sides, in this JVM: from just before the enqueue statement is
 * sent to the first line of the handler.
 */
final class LatencyRun {

    /**
     * Jobs run first and not counted (connection and plan caches, and the JIT: on 2 cores its compiler threads
     * still competed with the worker after 50 jobs, and the p99 measured them).
     */
    static final int DEFAULT_WARMUP = 1_000;
    /** Pause after each job so the worker is idle (waiting for a notification) when the next arrives. */
    private static final long IDLE_MILLIS = 2;

    private LatencyRun() {
    }

    static Map<String, Object> run(BenchOptions o, BenchJobs jobs, BenchDatabase db) throws Exception {
        int n = o.jobCount();
        LinkedBlockingQueue<Long> started = new LinkedBlockingQueue<>();
        long[] nanos = new long[n];
        long[] enqueueNanos = new long[n];
        long[] afterCommitNanos = new long[n];
        int warmup = o.warmup();
        Map<String, Object> jvm;
        try (JvmStats stats = JvmStats.start();
             Worker worker = jobs.worker(WorkerOptions.Mode.CONTINUOUS, (job, ctx) -> started.add(System.nanoTime()));
             Connection c = db.dataSource().getConnection()) {
            worker.start();
            long listenDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!worker.isListening()) {
                if (System.nanoTime() > listenDeadline) {
                    throw new IllegalStateException("The worker's LISTEN connection did not come up within 30 s");
                }
                Thread.sleep(5);
            }
            DSLContext dsl = jobs.dsl(c);
            for (int i = 0; i < warmup + n; i++) {
                NewJob job = jobs.batch(1).getFirst(); // the next entrypoint's turn
                long sent = System.nanoTime();
                jobs.queue().enqueue(dsl, job);
                long committed = System.nanoTime();
                Long handlerStart = started.poll(10, TimeUnit.SECONDS);
                if (handlerStart == null) {
                    throw new IllegalStateException("Job " + (i + 1) + " did not start within 10 s of its enqueue");
                }
                if (i >= warmup) {
                    nanos[i - warmup] = handlerStart - sent;
                    enqueueNanos[i - warmup] = committed - sent;
                    afterCommitNanos[i - warmup] = handlerStart - committed;
                }
                Thread.sleep(Duration.ofMillis(IDLE_MILLIS));
            }
            jvm = stats.finish();
        }
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jobs", n);
        m.put("warmup_jobs", warmup);
        m.put("p50_ms", ms(percentile(sorted, 50)));
        m.put("p90_ms", ms(percentile(sorted, 90)));
        m.put("p99_ms", ms(percentile(sorted, 99)));
        m.put("max_ms", ms(sorted[n - 1]));
        m.put("mean_ms", ms((long) Arrays.stream(sorted).average().orElse(0)));
        // the share of the enqueue call itself (statement and commit), to tell it from the worker's part
        Arrays.sort(enqueueNanos);
        m.put("enqueue_call_p50_ms", ms(percentile(enqueueNanos, 50)));
        m.put("enqueue_call_p99_ms", ms(percentile(enqueueNanos, 99)));
        // the worker's share: from the enqueue call's return (its commit, which delivers the NOTIFY) to the handler
        Arrays.sort(afterCommitNanos);
        m.put("commit_to_handler_p50_ms", ms(percentile(afterCommitNanos, 50)));
        m.put("commit_to_handler_p99_ms", ms(percentile(afterCommitNanos, 99)));
        m.put("remaining_rows", jobs.rows());
        m.put("jvm", jvm);
        return m;
    }

    /** Nearest-rank percentile of sorted values. */
    static long percentile(long[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    private static double ms(long nanos) {
        return Math.round(nanos / 1e3) / 1e3;
    }
}
