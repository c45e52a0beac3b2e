package org.pgqj.bench;


import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;
import org.pgqj.core.Job;

/**
 * Baseline: N jobs pre-enqueued, then plain loops (one per {@code --workers}, each on its own
 * connection) of the worker's own claim statement and complete statement at the same batch size (with
 * {@code --concurrency-limit}: the write of the last batch and the next claim in one round trip, as the
 * worker's claim loop sends them): no dispatcher, no threads per job, no buffering, no LISTEN. The ceiling
 * the worker is measured against.
 */
final class BaselineRun {

    private BaselineRun() {
    }

    static Map<String, Object> run(BenchOptions o, BenchJobs jobs, BenchDatabase db) throws Exception {
        int n = o.jobCount();
        double prefillSeconds = jobs.prefill(n);
        LongAdder claimed = new LongAdder();
        LongAdder completed = new LongAdder();
        LongAdder statements = new LongAdder();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        Map<String, Object> jvm;
        Map<String, Object> server;
        long start;
        long end;
        try (JvmStats stats = JvmStats.start()) {
            ServerStats window = ServerStats.start(db.dataSource(), db.tables().names().schema());
            start = System.nanoTime();
            for (int i = 0; i < o.workers(); i++) {
                threads.add(Thread.ofPlatform().name("pgqj-bench-baseline-" + i).start(() -> {
                    // a worker-style connection (DedicatedConnection: same session settings, statement cache)
                    try (WorkerStatements sql = new WorkerStatements(db.dataSource(), db.tables(), UUID.randomUUID(),
                            jobs.entrypoints(), o.limited(), o.concurrencyLimit(), o.claimCeiling())) {
                        List<Job> batch = List.of();
                        while (true) {
                            if (o.limited() > 0) {
                                // a limited entrypoint's worker writes the finished batch with its next claim
                                List<Job> done = batch;
                                batch = sql.completeSuccessfulAndClaim(done);
                                completed.add(done.size());
                            } else {
                                batch = sql.claim();
                            }
                            statements.increment();
                            if (batch.isEmpty()) {
                                // rows may still be locked by another loop (or a slot race was lost)
                                if (jobs.queued() == 0) {
                                    return;
                                }
                                continue;
                            }
                            claimed.add(batch.size());
                            if (o.limited() == 0) {
                                sql.completeSuccessful(batch);
                                statements.increment();
                                completed.add(batch.size());
                            }
                        }
                    } catch (Throwable e) {
                        errors.add(e);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            end = System.nanoTime();
            server = window.finish(n);
            jvm = stats.finish();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("A baseline loop failed: " + errors.getFirst(), errors.getFirst());
        }
        double seconds = (end - start) / 1e9;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("jobs", n);
        m.put("threads", o.workers());
        m.put("batch_size", o.claimCeiling());
        m.put("seconds", seconds);
        m.put("jobs_per_s", n / seconds);
        m.put("claimed", claimed.sum());
        m.put("completed", completed.sum());
        m.put("statements", statements.sum());
        m.put("remaining_rows", jobs.rows());
        m.put("prefill_jobs_per_s", n / prefillSeconds);
        m.put("server", server);
        m.put("jvm", jvm);
        return m;
    }
}
