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

/** What the modes share: the benchmark's entrypoint, bulk enqueue, row counts, worker construction. */
final class BenchJobs {

    /** The one entrypoint every benchmark job has. */
    static final String ENTRYPOINT = "bench";
    /** Jobs per enqueue statement when filling the queue before a drain. */
    static final int PREFILL_BATCH = 1_000;
    private static final int PREFILL_THREADS = 2;
    private static final byte[] PAYLOAD = "{\"n\":1}".getBytes(UTF_8);

    private final BenchDatabase db;
    private final JobQueue queue;
    private final BenchObservability observability;

    /** With {@code observability}, enqueues and workers run with pgqj-metrics and pgqj-tracing. */
    BenchJobs(BenchDatabase db, boolean observability) {
        this.db = db;
        this.observability = observability ? new BenchObservability() : null;
        JobQueue plain = JobQueue.create(db.tables());
        this.queue = observability ? this.observability.traced(plain) : plain;
    }

    /** With {@code --observability}: spans exported and jobs the meters counted. */
    java.util.Optional<Map<String, Object>> observabilityReport() {
        return observability == null ? java.util.Optional.empty() : java.util.Optional.of(observability.report());
    }

    JobQueue queue() {
        return queue;
    }

    /** {@code size} identical trivial jobs, for one enqueue statement. */
    static List<NewJob> batch(int size) {
        return Collections.nCopies(size, NewJob.of(ENTRYPOINT, PAYLOAD));
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
                        queue.enqueueAll(dsl, batch((int) Math.min(PREFILL_BATCH, n - from)));
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

    /** A worker for the benchmark entrypoint with the options' batch size and limits. */
    Worker worker(BenchOptions o, WorkerOptions.Mode mode, JobHandler handler) {
        WorkerOptions.Builder options = WorkerOptions.builder()
                .batchSize(o.batchSize())
                .maxConcurrentJobs(o.maxConcurrent())
                .mode(mode);
        o.maxBatchSize().ifPresent(options::maxBatchSize);
        if (observability != null) {
            observability.instrument(options);
        }
        return Worker.builder(db.dataSource(), db.tables())
                .entrypoint(ENTRYPOINT, EntrypointOptions.builder().concurrencyLimit(o.concurrencyLimit()).build(), handler)
                .options(options.build())
                .build();
    }
}
