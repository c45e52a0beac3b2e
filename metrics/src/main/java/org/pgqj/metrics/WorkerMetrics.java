package org.pgqj.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.pgqj.core.Job;
import org.pgqj.worker.JobContext;
import org.pgqj.worker.JobInterceptor;
import org.pgqj.worker.JobOutcome;
import org.pgqj.worker.WorkerObserver;

/**
 * The {@code pgqj.*} meters of one worker: a {@link JobInterceptor} (jobs by outcome, handler duration, queue
 * wait, running) and a {@link WorkerObserver} (claims, completion writes, the LISTEN connection). Register it
 * as both:
 *
 * <pre>{@code
 * WorkerMetrics metrics = WorkerMetrics.create(registry);
 * Worker.builder(dataSource, tables).options(WorkerOptions.builder().interceptor(metrics).observer(metrics).build()) ...
 * }</pre>
 *
 * <p>Names, tags and units are in the README's metrics table. Every registered entrypoint's meters exist from
 * the worker's start, at zero ({@link #onStarted}), so an alert on "no job of X ran" has a series to look at.
 * Counters and timers of several workers on one registry add up; the two gauges ({@code pgqj.jobs.running},
 * {@code pgqj.listener.connected}) belong to the first worker that registered them, so give each worker of a JVM
 * its own common tag (e.g. {@code Tags.of("worker", "fast")}) if several share a registry.
 */
public final class WorkerMetrics implements JobInterceptor, WorkerObserver {

    /** Jobs finished, tagged entrypoint and status. */
    public static final String JOBS_COMPLETED = "pgqj.jobs.completed";
    /** Handler call duration, tagged entrypoint and status. */
    public static final String JOB_DURATION = "pgqj.job.duration";
    /**
     * Jobs that ran past their entrypoint's timeout, tagged entrypoint (counted when the handler call ends, like
     * {@link #JOBS_COMPLETED}, so a handler that ignores its interrupt is counted once it returns).
     */
    public static final String JOBS_TIMED_OUT = "pgqj.jobs.timed.out";
    /** Failed jobs not retried although attempts might be left (a non-retryable failure), tagged entrypoint. */
    public static final String JOBS_NOT_RETRIED = "pgqj.jobs.not.retried";
    /**
     * Jobs whose handler snoozed them ({@code SnoozeRequested}: back in the queue, no attempt counted), tagged
     * entrypoint; {@link #JOBS_COMPLETED} counts them too, with status {@code snoozed}.
     */
    public static final String JOBS_SNOOZED = "pgqj.jobs.snoozed";
    /** Time from enqueue ({@code created}) to claim ({@code picked}), tagged entrypoint. */
    public static final String QUEUE_WAIT = "pgqj.job.queue.wait";
    /** Handlers running now, tagged entrypoint. */
    public static final String JOBS_RUNNING = "pgqj.jobs.running";
    /** Jobs per claim statement. */
    public static final String CLAIM_BATCH_SIZE = "pgqj.claim.batch.size";
    /** Claim statement round trip. */
    public static final String CLAIM_DURATION = "pgqj.claim.duration";
    /** Completion write (flush) round trips. */
    public static final String FLUSH_DURATION = "pgqj.flush.duration";
    /** 1 while the LISTEN connection is up, else 0. */
    public static final String LISTENER_CONNECTED = "pgqj.listener.connected";
    /** LISTEN connections made again after the first. */
    public static final String LISTENER_RECONNECTS = "pgqj.listener.reconnects";
    /** 1 while the worker does not claim the entrypoint (paused in code or for every Java worker), else 0. */
    public static final String ENTRYPOINT_PAUSED = "pgqj.entrypoint.paused";

    private final MeterRegistry registry;
    private final Tags common;
    private final Map<String, EntrypointMeters> byEntrypoint = new ConcurrentHashMap<>();
    private final DistributionSummary claimBatch;
    private final Timer claimDuration;
    private final Timer flushDuration;
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicBoolean everConnected = new AtomicBoolean();
    private final Counter reconnects;

    private WorkerMetrics(MeterRegistry registry, Tags common) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.common = common;
        this.claimBatch = DistributionSummary.builder(CLAIM_BATCH_SIZE).description("Jobs claimed per claim statement")
                .baseUnit("jobs").tags(common).register(registry);
        this.claimDuration = Timer.builder(CLAIM_DURATION).description("Round trip of one claim statement")
                .tags(common).register(registry);
        this.flushDuration = Timer.builder(FLUSH_DURATION).description("Round trips of one completion write")
                .tags(common).register(registry);
        Gauge.builder(LISTENER_CONNECTED, connected, AtomicInteger::get)
                .description("1 while the worker's LISTEN connection is up").tags(common).register(registry);
        this.reconnects = Counter.builder(LISTENER_RECONNECTS).description("LISTEN connections made again after a loss")
                .tags(common).register(registry);
    }

    /** The meters on {@code registry}. */
    public static WorkerMetrics create(MeterRegistry registry) {
        return new WorkerMetrics(registry, Tags.empty());
    }

    /** The meters on {@code registry}, each with these extra tags (e.g. {@code worker=fast}). */
    public static WorkerMetrics create(MeterRegistry registry, Iterable<Tag> tags) {
        return new WorkerMetrics(registry, Tags.of(Objects.requireNonNull(tags, "tags")));
    }

    @Override
    public JobOutcome intercept(Job job, JobContext context, Chain next) {
        EntrypointMeters m = byEntrypoint.computeIfAbsent(job.entrypoint(), EntrypointMeters::new);
        Duration waited = Duration.between(job.created(), job.updated()); // updated is set to now() by the claim
        if (!waited.isNegative()) {
            m.queueWait.record(waited);
        }
        m.running.incrementAndGet();
        long start = System.nanoTime();
        JobOutcome outcome;
        try {
            outcome = next.proceed();
        } finally {
            m.running.decrementAndGet();
        }
        m.finished(outcome, System.nanoTime() - start);
        return outcome;
    }

    /** Makes every entrypoint's meters at the worker's start, so "never ran" shows as zero, not as absent. */
    @Override
    public void onStarted(Set<String> entrypoints) {
        entrypoints.forEach(e -> byEntrypoint.computeIfAbsent(e, EntrypointMeters::new));
    }

    @Override
    public void onClaim(int requested, int claimed, Duration took) {
        claimBatch.record(claimed);
        claimDuration.record(took);
    }

    @Override
    public void onFlush(int written, Duration took) {
        flushDuration.record(took);
    }

    @Override
    public void onListenerConnected() {
        connected.set(1);
        if (everConnected.getAndSet(true)) {
            reconnects.increment();
        }
    }

    @Override
    public void onListenerDisconnected() {
        connected.set(0);
    }

    @Override
    public void onPausedChanged(Set<String> paused) {
        byEntrypoint.forEach((entrypoint, meters) -> meters.paused.set(paused.contains(entrypoint) ? 1 : 0));
    }

    @Override
    public String toString() {
        return "WorkerMetrics[" + registry.getClass().getSimpleName() + common + "]";
    }

    /** The meters of one entrypoint, made at the worker's start (cached: no registry lookup per job). */
    private final class EntrypointMeters {
        final Timer queueWait;
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger paused = new AtomicInteger();
        final Counter timedOut;
        final Counter notRetried;
        final Counter snoozed;
        final Map<JobOutcome.Status, Counter> completed = new EnumMap<>(JobOutcome.Status.class);
        final Map<JobOutcome.Status, Timer> duration = new EnumMap<>(JobOutcome.Status.class);

        EntrypointMeters(String entrypoint) {
            Tags tags = common.and("entrypoint", entrypoint);
            queueWait = Timer.builder(QUEUE_WAIT).description("Time from enqueue to claim").tags(tags)
                    .publishPercentileHistogram().register(registry);
            Gauge.builder(JOBS_RUNNING, running, AtomicInteger::get).description("Handlers running now").tags(tags)
                    .register(registry);
            Gauge.builder(ENTRYPOINT_PAUSED, paused, AtomicInteger::get)
                    .description("1 while the worker does not claim the entrypoint (paused)").tags(tags).register(registry);
            timedOut = Counter.builder(JOBS_TIMED_OUT).description("Jobs that ran past their entrypoint's timeout")
                    .tags(tags).register(registry);
            notRetried = Counter.builder(JOBS_NOT_RETRIED).description("Failed jobs not retried (non-retryable)")
                    .tags(tags).register(registry);
            snoozed = Counter.builder(JOBS_SNOOZED).description("Jobs snoozed by their handler (no attempt counted)")
                    .tags(tags).register(registry);
            for (JobOutcome.Status s : JobOutcome.Status.values()) {
                Tags withStatus = tags.and("status", s.label());
                completed.put(s, Counter.builder(JOBS_COMPLETED).description("Jobs finished, by outcome")
                        .tags(withStatus).register(registry));
                duration.put(s, Timer.builder(JOB_DURATION).description("Handler call duration, by outcome")
                        .tags(withStatus).publishPercentileHistogram().register(registry));
            }
        }

        void finished(JobOutcome outcome, long nanos) {
            completed.get(outcome.status()).increment();
            duration.get(outcome.status()).record(nanos, TimeUnit.NANOSECONDS);
            if (outcome.timedOut()) {
                timedOut.increment();
            }
            if (outcome.notRetried().isPresent()) {
                notRetried.increment();
            }
            if (outcome.status() == JobOutcome.Status.SNOOZED) {
                snoozed.increment();
            }
        }
    }
}
