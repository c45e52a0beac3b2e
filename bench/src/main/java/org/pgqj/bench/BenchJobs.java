package org.pgqj.bench;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.jooq.impl.DSL.inline;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.JobHandler;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * What the modes share: the benchmark's entrypoints and payload, bulk enqueue (jobs spread evenly over the
 * entrypoints), row counts, worker construction.
 */
final class BenchJobs {

    /** The entrypoint of a one-entrypoint run (more: {@code bench_0}, {@code bench_1}, ...). */
    static final String ENTRYPOINT = "bench";
    /** The entrypoint of {@code --foreign-backlog}: registered by no worker of the run. */
    static final String FOREIGN_ENTRYPOINT = "bench_foreign";
    /** The priority of the foreign backlog: above the benchmark's jobs (0), so it comes first in claim order. */
    static final int FOREIGN_PRIORITY = 10;
    /** Jobs per enqueue statement when filling the queue before a drain. */
    static final int PREFILL_BATCH = 1_000;
    /** The smallest {@code --payload-bytes}: {@code {"p":""}}. */
    static final int MIN_PAYLOAD_BYTES = 8;
    private static final int PREFILL_THREADS = 2;
    private static final byte[] DEFAULT_PAYLOAD = "{\"n\":1}".getBytes(UTF_8);

    private final BenchDatabase db;
    private final BenchOptions options;
    private final JobQueue queue;
    private final BenchObservability observability;
    private final List<String> entrypoints;
    private final byte[] payload;
    /** Round robin over the entrypoints, shared by every enqueuing thread. */
    private final AtomicLong spread = new AtomicLong();

    /** With {@code --observability}, enqueues and workers run with pgqj-metrics and pgqj-tracing. */
    BenchJobs(BenchDatabase db, BenchOptions options) {
        this.db = db;
        this.options = options;
        this.observability = options.observability() ? new BenchObservability() : null;
        JobQueue plain = JobQueue.create(db.tables());
        this.queue = observability != null ? this.observability.traced(plain) : plain;
        this.entrypoints = entrypointNames(options.entrypoints());
        this.payload = options.payloadBytes().map(BenchJobs::payload).orElse(DEFAULT_PAYLOAD);
    }

    static List<String> entrypointNames(int count) {
        if (count == 1) {
            return List.of(ENTRYPOINT);
        }
        List<String> names = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            names.add(ENTRYPOINT + "_" + i);
        }
        return List.copyOf(names);
    }

    /** A JSON object of exactly {@code bytes} bytes, its text random letters (so TOAST cannot shrink it much). */
    static byte[] payload(int bytes) {
        StringBuilder text = new StringBuilder(bytes).append("{\"p\":\"");
        java.util.Random random = new java.util.Random(bytes);
        while (text.length() < bytes - 2) {
            text.append((char) ('a' + random.nextInt(26)));
        }
        return text.append("\"}").toString().getBytes(UTF_8);
    }

    /** The entrypoints every worker registers, in order; the first {@code --limited} of them are limited. */
    List<String> entrypoints() {
        return entrypoints;
    }

    /** With {@code --observability}: spans exported and jobs the meters counted. */
    java.util.Optional<Map<String, Object>> observabilityReport() {
        return observability == null ? java.util.Optional.empty() : java.util.Optional.of(observability.report());
    }

    JobQueue queue() {
        return queue;
    }

    /** {@code size} jobs for one enqueue statement, continuing the round robin over the entrypoints. */
    List<NewJob> batch(int size) {
        long first = spread.getAndAdd(size);
        List<NewJob> jobs = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            jobs.add(NewJob.of(entrypoints.get((int) ((first + i) % entrypoints.size())), payload));
        }
        return jobs;
    }

    /** A connection in auto-commit and a DSL that renders the benchmark install's names. */
    DSLContext dsl(Connection c) {
        return db.tables().dsl(DSL.using(c, SQLDialect.POSTGRES));
    }

    /**
     * Enqueues {@code n} jobs with {@link JobQueue#enqueueAll} ({@value #PREFILL_BATCH} per statement,
     * two connections), then refreshes the planner statistics, as autovacuum would on a queue that
     * has been this full for a while. Returns the seconds the enqueue took.
     */
    double prefill(int n) throws Exception {
        return fill(n, this::batch);
    }

    /**
     * Enqueues {@code --foreign-backlog} jobs of {@link #FOREIGN_ENTRYPOINT} at {@link #FOREIGN_PRIORITY}, which no
     * worker of the run serves: they stay queued, ahead of the run's jobs in claim order.
     */
    void foreignBacklog() throws Exception {
        if (options.foreignBacklog() > 0) {
            fill(options.foreignBacklog(), size -> java.util.Collections.nCopies(size,
                    NewJob.builder(FOREIGN_ENTRYPOINT).priority(FOREIGN_PRIORITY).payload(payload).build()));
        }
    }

    /**
     * Enqueues {@code --delayed-backlog} jobs of the run's entrypoints (spread evenly) due in a day, at the run's
     * priority: enqueued first, so they come before the run's jobs in claim order, and none is due while it runs.
     */
    void delayedBacklog() throws Exception {
        if (options.delayedBacklog() > 0) {
            AtomicLong spreadDelayed = new AtomicLong();
            fill(options.delayedBacklog(), size -> {
                long first = spreadDelayed.getAndAdd(size);
                List<NewJob> jobs = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    jobs.add(NewJob.builder(entrypoints.get((int) ((first + i) % entrypoints.size())))
                            .delay(java.time.Duration.ofDays(1)).payload(payload).build());
                }
                return jobs;
            });
        }
    }

    private double fill(int n, java.util.function.IntFunction<List<NewJob>> batches) throws Exception {
        AtomicLong next = new AtomicLong();
        long start = System.nanoTime();
        List<Thread> threads = new ArrayList<>();
        List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < PREFILL_THREADS; t++) {
            threads.add(Thread.ofPlatform().name("pgqj-bench-prefill-" + t).start(() -> {
                try (Connection c = db.dataSource().getConnection()) {
                    DSLContext dsl = dsl(c);
                    long from;
                    while ((from = next.getAndAdd(PREFILL_BATCH)) < n) {
                        queue.enqueueAll(dsl, batches.apply((int) Math.min(PREFILL_BATCH, n - from)));
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            }));
        }
        for (Thread t : threads) {
            t.join();
        }
        if (!errors.isEmpty()) {
            throw new IllegalStateException("Filling the queue failed: " + errors.getFirst(), errors.getFirst());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        analyze();
        return seconds;
    }

    private void analyze() throws SQLException {
        // maintenance, not queue SQL: jOOQ has no VACUUM; the table name comes from the validated install names
        try (Connection c = db.dataSource().getConnection(); Statement st = c.createStatement()) {
            st.execute("VACUUM ANALYZE " + db.tables().names().qualified(db.tables().names().queueTable()));
        }
    }

    /** Rows left in the queue table (any status). */
    int rows() {
        return db.tables().dsl(db.dataSource()).fetchCount(PGQUEUER);
    }

    /** Rows still {@code queued}. */
    int queued() {
        return db.tables().dsl(db.dataSource()).fetchCount(PGQUEUER,
                PGQUEUER.STATUS.eq(inline(PgqueuerStatus.queued, PGQUEUER.STATUS)));
    }

    /** A worker for the benchmark's entrypoints with the options' batch size and limits. */
    Worker worker(WorkerOptions.Mode mode, JobHandler handler) {
        BenchOptions o = options;
        Worker.Builder builder = Worker.builder(db.dataSource(), db.tables());
        WorkerOptions.Builder workerOptions = WorkerOptions.builder()
                .batchSize(o.batchSize())
                .maxConcurrentJobs(o.maxConcurrent())
                .mode(mode);
        o.maxBatchSize().ifPresent(workerOptions::maxBatchSize);
        if (observability != null) {
            observability.instrument(workerOptions);
        }
        for (int i = 0; i < entrypoints.size(); i++) {
            int limit = i < o.limited() ? o.concurrencyLimit() : 0;
            builder.entrypoint(entrypoints.get(i), EntrypointOptions.builder().concurrencyLimit(limit).build(), handler);
        }
        return builder.options(workerOptions.build()).build();
    }
}
