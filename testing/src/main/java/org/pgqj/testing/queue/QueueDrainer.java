package org.pgqj.testing.queue;

import static org.jooq.impl.DSL.coalesce;
import static org.jooq.impl.DSL.currentOffsetDateTime;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.max;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.JobStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.worker.Worker;

/**
 * Runs the due jobs now, with the real worker: your handlers, their options (retries, holds, timeouts,
 * concurrency limits, interceptors) and the worker's own claim and outcome statements, so a test sees exactly
 * what production does (db-scheduler's {@code ManualScheduler.runAnyDueExecutions}, Oban's {@code drain_queue}).
 *
 * <p>{@link #drain(Worker)} starts the worker, waits until none of its entrypoints' jobs is due and none is picked
 * by it (so a retry without delay, or a job a handler enqueued, runs too), closes it, and reports what happened to
 * each job from the log rows written meanwhile. A job due later (a delayed job, a retry's backoff) stays queued:
 * move the {@link QueueClock} and drain again. The wait is a bounded poll of the database, not a sleep; it fails
 * after the timeout (default 30 s) naming what is still due or running.
 */
public final class QueueDrainer {

    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);

    private final DataSource dataSource;
    private final QueueTables tables;
    private final Duration timeout;

    private QueueDrainer(DataSource dataSource, QueueTables tables, Duration timeout) {
        this.dataSource = dataSource;
        this.tables = tables;
        this.timeout = timeout;
    }

    /** A drainer for the install {@code tables} in {@code dataSource}'s database. */
    public static QueueDrainer of(DataSource dataSource, QueueTables tables) {
        return new QueueDrainer(Objects.requireNonNull(dataSource, "dataSource"), Objects.requireNonNull(tables, "tables"),
                DEFAULT_TIMEOUT);
    }

    /** The same, giving up after {@code drainTimeout} (default 30 s). */
    public QueueDrainer timeout(Duration drainTimeout) {
        Objects.requireNonNull(drainTimeout, "timeout");
        if (drainTimeout.isNegative() || drainTimeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + drainTimeout);
        }
        return new QueueDrainer(dataSource, tables, drainTimeout);
    }

    /**
     * Starts {@code worker} (built, not started; on this drainer's database and install), runs every due job of
     * its entrypoints until none is left, and closes it.
     *
     * @return what happened to each job that ran, in id order
     * @throws AssertionError when jobs are still due or running after the timeout (the worker is closed then too)
     * @throws org.pgqj.worker.WorkerException when the worker cannot start (schema missing, already started)
     */
    public DrainResult drain(Worker worker) {
        Objects.requireNonNull(worker, "worker");
        try (worker) {
            return run(worker, worker::start);
        }
    }

    /**
     * For a worker that runs already (a Spring context's): waits until none of its entrypoints' jobs is due or
     * picked by it, and reports what happened to each job meanwhile. The worker keeps running.
     *
     * @return what happened to each job that ran from this call on, in id order
     * @throws AssertionError when jobs are still due or running after the timeout
     */
    public DrainResult awaitIdle(Worker running) {
        Objects.requireNonNull(running, "running");
        return run(running, () -> { });
    }

    private DrainResult run(Worker worker, Runnable start) {
        DSLContext dsl = tables.dsl(dataSource);
        long logMark = dsl.select(coalesce(max(PGQUEUER_LOG.ID), inline(0L))).from(PGQUEUER_LOG).fetchSingle().value1();
        List<String> entrypoints = worker.entrypoints();
        start.run();
        try {
            Await.until("no job of " + entrypoints + " due or running on worker " + worker.id(), timeout,
                    () -> worker.runningJobs() == 0 && !dsl.fetchExists(PGQUEUER, PGQUEUER.ENTRYPOINT.in(entrypoints)
                            .and(PGQUEUER.STATUS.eq(PgqueuerStatus.queued)
                                    .and(PGQUEUER.EXECUTE_AFTER.le(currentOffsetDateTime()))
                                    .or(PGQUEUER.STATUS.eq(PgqueuerStatus.picked)
                                            .and(PGQUEUER.QUEUE_MANAGER_ID.eq(worker.id()))))));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("Interrupted while draining " + entrypoints, e);
        }
        return result(dsl, logMark);
    }

    /** The log rows after {@code logMark}, per job. */
    private static DrainResult result(DSLContext dsl, long logMark) {
        Map<Long, List<JobStatus>> statuses = new LinkedHashMap<>();
        Map<Long, String> entrypoints = new LinkedHashMap<>();
        Map<Long, String> tracebacks = new LinkedHashMap<>();
        dsl.select(PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.TRACEBACK)
                .from(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.ID.gt(logMark))
                .orderBy(PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.ID)
                .forEach(r -> {
                    statuses.computeIfAbsent(r.value1(), id -> new ArrayList<>()).add(JobStatus.fromLabel(r.value3().getLiteral()));
                    entrypoints.put(r.value1(), r.value2());
                    JSONB traceback = r.value4();
                    if (traceback != null && !"null".equals(traceback.data())) {
                        tracebacks.put(r.value1(), traceback.data());
                    }
                });
        List<RanJob> jobs = new ArrayList<>();
        statuses.forEach((id, list) -> jobs.add(new RanJob(id, entrypoints.get(id), list,
                Optional.ofNullable(tracebacks.get(id)))));
        return new DrainResult(jobs);
    }
}
