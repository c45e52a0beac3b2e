package org.pgqj.faults;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * Producers and workers under a fault, counted. Producers enqueue batches in their own transactions at
 * a bounded rate and record the ids of every batch whose COMMIT was acknowledged; a batch that fails is
 * retried by the producer (enqueue runs in the caller's transaction: nothing of a failed one is
 * acknowledged). Handlers record every run of every id and the time it started. At the end:
 * lost = acknowledged ids never run, twice = ids run more than once, stuck = rows still {@code picked}.
 */
final class FaultLoad implements AutoCloseable {

    static final String ENTRYPOINT = "fault_job";

    private final Supplier<DataSource> producerSource;
    private final QueueTables tables = QueueTables.defaults();
    private final JobQueue queue = JobQueue.create(tables);
    final Set<Long> acknowledged = ConcurrentHashMap.newKeySet();
    final Map<Long, AtomicInteger> runs = new ConcurrentHashMap<>();
    final AtomicInteger failedBatches = new AtomicInteger();
    private final List<Thread> producers = new ArrayList<>();
    private final List<Worker> workers = new ArrayList<>();
    private final AtomicLong lastRunNanos = new AtomicLong();
    private final AtomicLong firstRunAfterNanos = new AtomicLong(Long.MAX_VALUE);
    private volatile long markNanos = Long.MAX_VALUE;
    private volatile boolean stopProducers;

    FaultLoad(Supplier<DataSource> producerSource) {
        this.producerSource = producerSource;
    }

    /** {@code producers} threads, each enqueueing {@code batch} jobs every {@code everyMillis}. */
    FaultLoad startProducers(int producers, int batch, long everyMillis) {
        for (int p = 0; p < producers; p++) {
            this.producers.add(Thread.ofPlatform().name("fault-producer-" + p).start(() -> produce(batch, everyMillis)));
        }
        return this;
    }

    private void produce(int batch, long everyMillis) {
        DataSource ds = producerSource.get();
        List<NewJob> jobs = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            jobs.add(NewJob.of(ENTRYPOINT, new byte[0]));
        }
        long next = System.nanoTime();
        while (!stopProducers) {
            try (Connection c = ds.getConnection()) {
                while (!stopProducers) {
                    List<Long> ids = DSL.using(c, SQLDialect.POSTGRES)
                            .transactionResult(cfg -> queue.enqueueAll(cfg.dsl(), jobs));
                    acknowledged.addAll(ids); // only now: the COMMIT came back
                    next += TimeUnit.MILLISECONDS.toNanos(everyMillis);
                    long sleep = next - System.nanoTime();
                    if (sleep > 0) {
                        Thread.sleep(sleep / 1_000_000, (int) (sleep % 1_000_000));
                    } else {
                        next = System.nanoTime();
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception e) {
                failedBatches.incrementAndGet(); // the caller's transaction failed: retry on a new connection
                sleep(100);
                next = System.nanoTime();
            }
        }
    }

    /** A worker with the suite's counting handler (1 ms of work per job). */
    Worker startWorker(DataSource ds, WorkerOptions options) {
        return startWorker(ds, options, EntrypointOptions.defaults());
    }

    /** A worker with the suite's counting handler and the given entrypoint options. */
    Worker startWorker(DataSource ds, WorkerOptions options, EntrypointOptions entrypoint) {
        Worker w = Worker.builder(ds, tables)
                .entrypoint(ENTRYPOINT, entrypoint, (job, ctx) -> {
                    long now = System.nanoTime();
                    lastRunNanos.set(now);
                    if (now >= markNanos) {
                        firstRunAfterNanos.accumulateAndGet(now, Math::min);
                    }
                    runs.computeIfAbsent(job.id(), k -> new AtomicInteger()).incrementAndGet();
                    Thread.sleep(1);
                })
                .options(options)
                .build()
                .start();
        workers.add(w);
        return w;
    }

    /** Worker options of the suite: short heartbeat timeout so a stranded job is visible within the test. */
    static WorkerOptions.Builder options() {
        return WorkerOptions.builder().batchSize(20).heartbeatTimeout(Duration.ofSeconds(5))
                .dequeueTimeout(Duration.ofSeconds(2)).healthCheckInterval(Duration.ofSeconds(2))
                .shutdownTimeout(Duration.ofSeconds(5));
    }

    /** Waits until {@code n} jobs have run (the JVM and the server warmed up), at most {@code timeout}. */
    void awaitRuns(int n, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (runs.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    /** A timestamped line of the scenario's timeline. */
    static void say(String what) {
        System.out.println(java.time.LocalTime.now() + " [fault] " + what);
    }

    /** Marks "the database is back" now; {@link #resumeSeconds()} measures from here. */
    void markBack() {
        markNanos = System.nanoTime();
    }

    /** Seconds from {@link #markBack()} to the first handler run after it; -1 if none. */
    double resumeSeconds() {
        long first = firstRunAfterNanos.get();
        return first == Long.MAX_VALUE ? -1 : (first - markNanos) / 1e9;
    }

    void stopProducers() throws InterruptedException {
        stopProducers = true;
        for (Thread t : producers) {
            t.interrupt();
            t.join(10_000);
        }
    }

    /** Stops the producers, waits up to {@code timeout} for the queue on {@code ds} to empty, counts what stays picked. */
    Drained drain(DataSource ds, Duration timeout) throws Exception {
        stopProducers();
        boolean empty = awaitEmpty(ds, timeout);
        return new Drained(empty, count(ds, "select count(*) from pgqueuer where status = 'picked'"));
    }

    /** Whether the queue emptied, and how many rows are still {@code picked}. */
    record Drained(boolean empty, long stuck) {
    }

    /** Waits until the queue table on {@code ds} is empty; false on timeout. */
    static boolean awaitEmpty(DataSource ds, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (count(ds, "select count(*) from pgqueuer") == 0) {
                    return true;
                }
            } catch (Exception e) {
                // the database is not back yet
            }
            Thread.sleep(200);
        }
        return false;
    }

    static long count(DataSource ds, String sql) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Acknowledged ids never run. */
    long lost() {
        return acknowledged.stream().filter(id -> !runs.containsKey(id)).count();
    }

    /** Ids run more than once. */
    long twice() {
        return runs.values().stream().filter(n -> n.get() > 1).count();
    }

    List<Worker> workers() {
        return workers;
    }

    @Override
    public void close() throws InterruptedException {
        stopProducers();
        for (Worker w : workers) {
            w.close();
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The greppable line of a scenario. */
    static String report(String scenario, long jobs, long lost, long twice, long stuck, double resume) {
        String line = String.format(java.util.Locale.ROOT, "FAULT %s | %d | %d | %d | %d | %s", scenario, jobs, lost, twice, stuck,
                Double.isNaN(resume) ? "-" : String.format(java.util.Locale.ROOT, "%.2f", resume));
        System.out.println(line);
        return line;
    }
}
