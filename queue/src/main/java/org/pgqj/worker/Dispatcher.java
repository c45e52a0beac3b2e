package org.pgqj.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.internal.queue.ClaimQuery;
import org.pgqj.internal.queue.CompleteQuery;
import org.pgqj.internal.queue.NextEligibleQuery;
import org.pgqj.internal.sql.ConnectionErrors;
import org.pgqj.internal.sql.DedicatedConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim loop: claims as many jobs as there is free capacity for ({@code min(batch,
 * maxConcurrent - running)}, and per entrypoint its rate tokens), runs each on a virtual thread, and
 * otherwise waits for a wake-up (a table-change notification, a finished job, shutdown) or a timeout
 * (100 ms when work is queued but blocked by slots or rate, the next deferred job's ETA, the dequeue
 * timeout, or the poll interval while not listening). No busy loop: every wait has a timeout and wakes on shutdown.
 */
final class Dispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(Dispatcher.class);
    private static final long BLOCKED_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final WorkerOptions options;
    private final Map<String, Registration> registrations;
    private final Map<String, TokenBucket> buckets = new HashMap<>();
    private final ClaimQuery claimQuery;
    private final DedicatedConnection connection;
    private final CompletionBuffer completions;
    private final BooleanSupplier listenerUp;
    private final UUID workerId;
    private final NextEligibleQuery nextEligible;

    private final ConcurrentHashMap<Long, JobContext> running = new ConcurrentHashMap<>();
    private final AtomicInteger inflight = new AtomicInteger();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final Condition stateChanged = lock.newCondition();
    private boolean wakePending;
    private volatile boolean stopping;
    private volatile boolean drained;
    private volatile boolean finished;
    private volatile boolean blocked;
    private volatile boolean blockedByWrites;
    private final AtomicInteger jobsSinceStatistics = new AtomicInteger();
    private final AtomicInteger drainWaiters = new AtomicInteger();

    Dispatcher(WorkerOptions options, Map<String, Registration> registrations, ClaimQuery claimQuery,
               DedicatedConnection connection, CompletionBuffer completions, BooleanSupplier listenerUp) {
        this.options = options;
        this.registrations = registrations;
        this.claimQuery = claimQuery;
        this.connection = connection;
        this.completions = completions;
        this.listenerUp = listenerUp;
        this.workerId = options.workerId();
        this.nextEligible = new NextEligibleQuery(registrations.keySet());
        registrations.values().forEach(r -> r.options().requestsPerSecond()
                .ifPresent(rate -> buckets.put(r.name(), new TokenBucket(rate))));
    }

    /** Look for work now. */
    void wake() {
        lock.lock();
        try {
            wakePending = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stop claiming (running jobs go on). */
    void stop() {
        stopping = true;
        wake();
    }

    /** Whether the last claim found eligible jobs it could not take (slots full); a finish elsewhere may free one. */
    boolean isBlocked() {
        return blocked;
    }

    /** Whether claiming is paused because outcomes cannot be written. */
    boolean isBlockedByWrites() {
        return blockedByWrites;
    }

    boolean isFinished() {
        return finished;
    }

    int inflight() {
        return inflight.get();
    }

    /** The ids of the jobs running here now (a live view). */
    Set<Long> runningIds() {
        return running.keySet();
    }

    /** How many jobs finished since the last call (the writer aggregates statistics only after some did). */
    int takeFinishedSinceStatistics() {
        return jobsSinceStatistics.getAndSet(0);
    }

    /** Cancels every job still running here (shutdown after the timeout). */
    void cancelRunning() {
        running.values().forEach(JobContext::cancel);
    }

    /** Cancels a locally running job; false when it is not running here. */
    boolean cancel(long jobId) {
        JobContext ctx = running.get(jobId);
        if (ctx == null) {
            return false;
        }
        ctx.cancel();
        return true;
    }

    /** The claim loop; returns after {@link #stop()} or, in drain mode, when nothing is left. */
    void loop() {
        long errorBackoff = 100;
        boolean refusedLogged = false;
        try {
            while (!stopping) {
                try {
                    loopOnce();
                    errorBackoff = 100;
                    refusedLogged = false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    if (ConnectionErrors.isTooManyConnections(e) && !refusedLogged) {
                        refusedLogged = true;
                        LOG.error("Worker {} cannot claim: the server refuses its claim connection ({}). Its "
                                + "max_connections is used up: raise max_connections or use fewer connections elsewhere; "
                                + "retrying", workerId, ConnectionErrors.describe(e));
                    } else {
                        LOG.warn("Claim failed ({}); retrying in {} ms", ConnectionErrors.describe(e), errorBackoff);
                    }
                    LOG.debug("Claim failure", e);
                    awaitWake(TimeUnit.MILLISECONDS.toNanos(errorBackoff));
                    errorBackoff = Math.min(errorBackoff * 2, 5_000);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            finished = true;
            signalState();
        }
    }

    private void loopOnce() throws InterruptedException {
        if (completions.holdsClaims()) {
            // back-pressure: finished jobs whose outcomes cannot be written yet; claiming more would only
            // run more jobs nobody can record (the writer says why, and wakes us once it writes again)
            blockedByWrites = true;
            awaitWake(TimeUnit.SECONDS.toNanos(1));
            return;
        }
        blockedByWrites = false;
        int batch = options.batchSize();
        int max = options.maxConcurrentJobs();
        int capacity = max == 0 ? batch : Math.min(batch, max - inflight.get());
        if (capacity <= 0) {
            awaitWake(TimeUnit.SECONDS.toNanos(1));
            return;
        }
        List<ClaimQuery.Part> parts = new ArrayList<>();
        long rateWait = Long.MAX_VALUE;
        for (Registration r : registrations.values()) {
            int take = capacity;
            TokenBucket bucket = buckets.get(r.name());
            if (bucket != null) {
                int tokens = bucket.available();
                if (tokens <= 0) {
                    rateWait = Math.min(rateWait, bucket.nanosUntilToken());
                    continue;
                }
                take = Math.min(take, tokens);
            }
            Duration stale = r.options().retryTimer().orElse(options.heartbeatTimeout());
            parts.add(new ClaimQuery.Part(r.name(), r.options().effectiveConcurrencyLimit(), take, stale));
        }
        int claimBatch = capacity;
        long claimStart = System.nanoTime();
        List<Job> jobs = parts.isEmpty() ? List.of() : connection.jdbc(session -> claimQuery.claim(session, parts, claimBatch, owned()));
        if (LOG.isTraceEnabled()) {
            LOG.trace("claim of up to {} took {} us, got {}", claimBatch, (System.nanoTime() - claimStart) / 1000, jobs.size());
        }
        for (Job job : jobs) {
            TokenBucket bucket = buckets.get(job.entrypoint());
            if (bucket != null) {
                bucket.take(1);
            }
            start(job);
        }
        if (!jobs.isEmpty()) {
            drained = false;
            blocked = false;
            if (jobs.size() >= claimBatch) {
                return; // a full batch: maybe more right away
            }
        }
        // a partial or empty claim: find out whether (and when) more work is due before waiting
        NextEligibleQuery.NextEligible next = connection.run(nextEligible::fetch);
        if (!jobs.isEmpty() && next.isDue()) {
            return; // more became eligible meanwhile: claim again now
        }
        // eligible work that could not be claimed: slots are full (or rows locked) until someone finishes
        blocked = jobs.isEmpty() && next.isDue();
        if (next.earliest().isEmpty() && inflight.get() == 0) {
            drained = true;
            signalState();
            if (options.mode() == WorkerOptions.Mode.DRAIN) {
                LOG.info("Worker {} drained: nothing queued, nothing running", workerId);
                stopping = true;
                return;
            }
        } else {
            drained = false;
        }
        long wait = options.dequeueTimeout().toNanos();
        if (next.earliest().isPresent()) {
            long eta = Duration.between(next.now(), next.earliest().get()).toNanos();
            wait = Math.min(wait, Math.max(eta, BLOCKED_WAIT_NANOS));
        }
        if (!listenerUp.getAsBoolean()) {
            wait = Math.min(wait, options.pollInterval().toNanos()); // poll-only, or the listener is down
        }
        if (rateWait != Long.MAX_VALUE) {
            wait = Math.min(wait, Math.max(rateWait, TimeUnit.MILLISECONDS.toNanos(1)));
        }
        if (options.mode() == WorkerOptions.Mode.DRAIN && next.earliest().isEmpty()) {
            wait = Math.min(wait, BLOCKED_WAIT_NANOS); // re-check soon: running jobs may finish or retry
        }
        awaitWake(wait);
    }

    /** Ids this worker owns: running here, or finished with the outcome not yet written. */
    private Long[] owned() {
        List<Long> ids = new ArrayList<>(running.keySet());
        ids.addAll(completions.unwritten());
        return ids.toArray(Long[]::new);
    }

    private void awaitWake(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (!wakePending && !stopping && left > 0) {
                left = wake.awaitNanos(left);
            }
            wakePending = false;
        } finally {
            lock.unlock();
        }
    }

    private void signalState() {
        lock.lock();
        try {
            stateChanged.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits until nothing is queued for these entrypoints and nothing runs; false on timeout. */
    boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        drainWaiters.incrementAndGet();
        wake();
        lock.lock();
        try {
            long left;
            while (!(drained && inflight.get() == 0) && !finished && (left = deadline - System.nanoTime()) > 0) {
                stateChanged.awaitNanos(Math.min(left, BLOCKED_WAIT_NANOS));
            }
            return drained && inflight.get() == 0 || finished && inflight.get() == 0;
        } finally {
            lock.unlock();
            drainWaiters.decrementAndGet();
        }
    }

    /** Waits until no job runs; false on timeout. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            long left;
            while (inflight.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                stateChanged.awaitNanos(Math.min(left, BLOCKED_WAIT_NANOS));
            }
            return inflight.get() == 0;
        } finally {
            lock.unlock();
        }
    }

    private void start(Job job) {
        Registration registration = registrations.get(job.entrypoint());
        JobContext context = new JobContext(job, workerId);
        running.put(job.id(), context);
        inflight.incrementAndGet();
        Thread.ofVirtual().name("pgqj-job-" + job.id()).start(() -> run(registration, job, context));
    }

    private void run(Registration registration, Job job, JobContext context) {
        context.attach(Thread.currentThread());
        try {
            registration.invoker().invoke(job, context);
            finish(job, context.isCancelled() ? PgqueuerStatus.canceled : PgqueuerStatus.successful, null);
        } catch (RetryRequested retry) {
            if (context.isCancelled()) {
                finish(job, PgqueuerStatus.canceled, null);
            } else {
                completions.add(new CompletionBuffer.Retry(job.id(), retry.delay(),
                        Traceback.ofRetry(job, retry, workerId, retry.delay(), retry.reason())));
            }
        } catch (Registration.PayloadFailure e) {
            failed(registration, job, e.getCause(), context);
        } catch (Throwable t) {
            if (context.isCancelled()) {
                finish(job, PgqueuerStatus.canceled, null);
            } else {
                var delay = registration.options().retryPolicy().delayFor(job.attempts());
                if (delay.isPresent()) {
                    completions.add(new CompletionBuffer.Retry(job.id(), delay.get(),
                            Traceback.ofRetry(job, t, workerId, delay.get(), String.valueOf(t))));
                } else {
                    failed(registration, job, t, context);
                }
            }
        } finally {
            context.detach();
            Thread.interrupted(); // a late cancellation must not leak into the next use of this thread
            running.remove(job.id());
            jobsSinceStatistics.incrementAndGet();
            int before = inflight.getAndDecrement();
            signalState();
            // a finished job matters to the claim loop only when it frees capacity someone waits for;
            // otherwise an idle worker would run an empty claim after every job
            int max = options.maxConcurrentJobs();
            if ((max > 0 && before >= max) || options.mode() == WorkerOptions.Mode.DRAIN || drainWaiters.get() > 0
                    || blocked) {
                wake();
            }
        }
    }

    private void failed(Registration registration, Job job, Throwable t, JobContext context) {
        LOG.debug("Job {} ({}) failed", job.id(), job.entrypoint(), t);
        PgqueuerStatus status = registration.options().onFailure() == EntrypointOptions.OnFailure.HOLD
                ? PgqueuerStatus.failed : PgqueuerStatus.exception;
        finish(job, status, Traceback.of(job, t, workerId));
    }

    private void finish(Job job, PgqueuerStatus status, org.jooq.JSONB traceback) {
        boolean holdsSlot = registrations.get(job.entrypoint()).options().effectiveConcurrencyLimit() > 0;
        if (!completions.add(new CompleteQuery.Outcome(job.id(), status, traceback), holdsSlot)) {
            LOG.warn("Job {} finished after shutdown; it stays picked and is re-run once its heartbeat is stale", job.id());
        }
    }
}
