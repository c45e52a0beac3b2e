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
import org.pgqj.internal.sql.Backoff;
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
    /** How long the claim loop lets running jobs finish to join a write of slot-holding outcomes. */
    private static final long COALESCE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final WorkerOptions options;
    private final Map<String, Registration> registrations;
    private final Map<String, TokenBucket> buckets = new HashMap<>();
    private final ClaimQuery claimQuery;
    private final DedicatedConnection connection;
    private final CompletionBuffer completions;
    private final BooleanSupplier listenerUp;
    private final Observers observers;
    private final UUID workerId;
    private final NextEligibleQuery nextEligible;
    /** The completion statement the claim loop sends ahead of its claim (limited entrypoints). */
    private final CompleteQuery completeQuery = new CompleteQuery();

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
    /** The next claim's size: batchSize, doubled after each full claim up to maxBatchSize (claim thread only). */
    private int claimSize;
    private final AtomicInteger drainWaiters = new AtomicInteger();
    /** Whether some entrypoint has a concurrency limit: its finished jobs free slots only once written. */
    private final boolean limitedEntrypoints;
    /** Whether every entrypoint has a concurrency limit (a partial claim is then the norm, not a sign of more work). */
    private final boolean allLimited;

    Dispatcher(WorkerOptions options, Map<String, Registration> registrations, ClaimQuery claimQuery,
               DedicatedConnection connection, CompletionBuffer completions, BooleanSupplier listenerUp,
               Observers observers) {
        this.observers = observers;
        this.options = options;
        this.registrations = registrations;
        this.claimQuery = claimQuery;
        this.connection = connection;
        this.completions = completions;
        this.listenerUp = listenerUp;
        this.workerId = options.workerId();
        this.nextEligible = new NextEligibleQuery(registrations.keySet());
        this.claimSize = options.batchSize();
        this.limitedEntrypoints = registrations.values().stream().anyMatch(Registration::holdsSlots);
        this.allLimited = !registrations.isEmpty() && registrations.values().stream().allMatch(Registration::holdsSlots);
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

    /** After a completion write: someone waiting for the drain must look again (a retry may be queued now). */
    void wakeIfDraining() {
        if (options.mode() == WorkerOptions.Mode.DRAIN || drainWaiters.get() > 0) {
            wake();
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
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        try {
            while (!stopping) {
                try {
                    loopOnce();
                    backoff.succeeded();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (RuntimeException e) {
                    Duration wait = backoff.failed();
                    if (backoff.firstRefusal(e)) {
                        LOG.error("{}; retrying", ConnectionErrors.refusal("Worker " + workerId + " cannot claim", "claim", e));
                    } else {
                        LOG.warn("Claim failed ({}); retrying in {} ms", ConnectionErrors.describe(e), wait.toMillis());
                    }
                    LOG.debug("Claim failure", e);
                    awaitWake(wait.toNanos());
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
        // Finished jobs of a limited entrypoint hold their slots until their outcome is written. The claim loop
        // writes them itself, in the same round trip and transaction as the claim that reuses the slots
        // (ClaimQuery.completeAndClaim), instead of handing them to the writer thread and waiting for it to wake
        // this loop: two thread hand-offs, two commits and often a claim that found every slot held, per cycle.
        boolean writeHere = limitedEntrypoints && !completions.isEmpty();
        if (writeHere) {
            blocked = false; // the delete notification of this very write must not wake the loop for an empty claim
            // jobs of one claim tend to end together: let the others that are about to end join this write (at
            // most a millisecond), rather than one write and claim per finished job
            awaitNoneRunning(COALESCE_NANOS);
        }
        int batch = claimSize;
        int max = options.maxConcurrentJobs();
        int capacity = max == 0 ? batch : Math.min(batch, max - inflight.get());
        if (capacity <= 0) {
            if (writeHere) {
                flushHere(); // nothing to claim, but the slots are free for other workers
            }
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
        // what woke the loop so far (a job's end, a notification) is seen by this claim: its outcome is in the
        // buffer this write takes, its row in the claim's snapshot. Left pending, the wakes of the jobs that
        // ended while the loop coalesced made the next pass claim again at once, with every slot held and
        // nothing to write (a fifth more claims, each followed by a NextEligibleQuery, in a limited drain)
        consumeWake();
        long claimStart = System.nanoTime();
        List<Job> jobs;
        if (parts.isEmpty()) {
            if (writeHere) {
                flushHere();
            }
            jobs = List.of();
        } else if (writeHere) {
            int[] written = new int[1];
            jobs = completions.flushWith(connection, (session, outcomes) -> {
                written[0] = outcomes.size();
                return claimQuery.completeAndClaim(session, completeQuery, outcomes, parts, claimBatch, owned());
            });
            reportWrite("with the claim", written[0], claimStart);
        } else {
            jobs = connection.jdbc(session -> claimQuery.claim(session, parts, claimBatch, owned()));
        }
        long claimNanos = System.nanoTime() - claimStart;
        if (!parts.isEmpty() && !observers.isEmpty()) {
            observers.onClaim(claimBatch, jobs.size(), Duration.ofNanos(claimNanos));
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("claim of up to {} took {} us, got {}", claimBatch, claimNanos / 1000, jobs.size());
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
                // a full batch: a backlog, so claim more at once next time (up to maxBatchSize) right away
                if (claimBatch == claimSize) {
                    claimSize = Math.min(options.maxBatchSize(), claimSize * 2);
                    completions.threshold(claimSize);
                }
                return;
            }
        }
        if (!jobs.isEmpty() && allLimited) {
            // every entrypoint is limited: a partial claim took the free slots, and the next free slot comes
            // from a job finishing here (which wakes this loop) or elsewhere (the timeout). Not "blocked": our
            // own flushes' delete notifications would wake the loop for a claim that finds every slot held
            awaitWake(BLOCKED_WAIT_NANOS);
            return;
        }
        // a partial or empty claim: find out whether (and when) more work is due before waiting; nothing running
        // and no retry unwritten BEFORE the query means the query sees every job this worker put back
        boolean quiet = inflight.get() == 0 && !completions.hasPendingRetries();
        NextEligibleQuery.NextEligible next = connection.jdbc(nextEligible::fetch);
        if (!next.isDue() && claimSize != options.batchSize()) {
            claimSize = options.batchSize(); // the backlog is gone: small claims again (full ones mean a backlog)
            completions.threshold(claimSize);
        }
        if (!jobs.isEmpty() && next.isDue()) {
            return; // more became eligible meanwhile: claim again now
        }
        // eligible work that could not be claimed: slots are full (or rows locked) until someone finishes
        blocked = jobs.isEmpty() && next.isDue();
        // a retry still in the completion buffer is queued work that is not yet written back
        if (next.earliest().isEmpty() && quiet && inflight.get() == 0) {
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

    /** Writes the buffered outcomes on the claim connection (limited entrypoints); a failure is the writer's to retry. */
    private void flushHere() {
        long start = System.nanoTime();
        int written;
        try {
            written = completions.flush(connection);
        } catch (RuntimeException e) {
            // the outcomes went back into the buffer; the writer retries them and reports the failure
            LOG.debug("Writing outcomes before a claim failed; the writer retries them", e);
            completions.nudge();
            return;
        }
        reportWrite("with no claim", written, start);
    }

    /** Trace line and observers for {@code written} outcomes the claim loop wrote in the round trip begun at {@code start}. */
    private void reportWrite(String how, int written, long start) {
        if (written == 0) {
            return;
        }
        long nanos = System.nanoTime() - start;
        if (LOG.isTraceEnabled()) {
            LOG.trace("claim loop wrote {} outcomes {} in {} us", written, how, nanos / 1000);
        }
        if (!observers.isEmpty()) {
            observers.onFlush(written, Duration.ofNanos(nanos));
        }
    }

    /** Ids this worker owns: running here, or finished with the outcome not yet written. */
    private Long[] owned() {
        List<Long> ids = new ArrayList<>(running.keySet());
        ids.addAll(completions.unwritten());
        return ids.toArray(Long[]::new);
    }

    private void consumeWake() {
        lock.lock();
        try {
            wakePending = false;
        } finally {
            lock.unlock();
        }
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

    /** Waits until no job runs, at most {@code nanos} (not interrupted by wake-ups). */
    private void awaitNoneRunning(long nanos) throws InterruptedException {
        if (inflight.get() == 0) {
            return;
        }
        lock.lock();
        try {
            long left = nanos;
            while (inflight.get() > 0 && !stopping && left > 0) {
                left = stateChanged.awaitNanos(left);
            }
        } finally {
            lock.unlock();
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
            record(job, new Link(registration, job, context, 0).proceed());
        } finally {
            context.detach();
            Thread.interrupted(); // a late cancellation must not leak into the next use of this thread
            running.remove(job.id());
            jobsSinceStatistics.incrementAndGet();
            boolean holdsSlot = registration.holdsSlots();
            if (holdsSlot) {
                // a job that holds a concurrency slot always wakes the claim loop: it writes the outcome (freeing
                // the slot) and claims into the slot in one pass, with no hand-off to the writer thread. Before the
                // count drops: a loop that waited for nothing running finds this wake already pending and
                // consumes it with the write that carries this outcome; a wake after it would be stale
                wake();
            }
            int before = inflight.getAndDecrement();
            if (before == 1) {
                if (!holdsSlot) {
                    completions.nudge(); // nothing runs now: nothing else will join this batch soon
                }
                // every waiter on the state waits for nothing running (idle, drained, a coalescing claim loop):
                // signalling each job's end woke them once per job for nothing
                signalState();
            }
            // otherwise a finished job matters to the claim loop only when it frees capacity someone waits for;
            // an idle worker would run an empty claim after every job
            int max = options.maxConcurrentJobs();
            boolean drainCheck = (options.mode() == WorkerOptions.Mode.DRAIN || drainWaiters.get() > 0) && before == 1;
            if (!holdsSlot && ((max > 0 && before >= max) || drainCheck || blocked)) {
                wake();
            }
        }
    }

    /** One step of a job's interceptor chain ({@link Registration#interceptors()}); the last runs the handler. */
    private static final class Link implements JobInterceptor.Chain {
        private final Registration registration;
        private final Job job;
        private final JobContext context;
        private final int index;
        private boolean proceeded;

        Link(Registration registration, Job job, JobContext context, int index) {
            this.registration = registration;
            this.job = job;
            this.context = context;
            this.index = index;
        }

        @Override
        public JobOutcome proceed() {
            List<JobInterceptor> chain = registration.interceptors();
            if (proceeded) {
                throw new IllegalStateException("proceed() called twice for job " + job.id() + " by interceptor "
                        + chain.get(index - 1) + "; a job runs once per claim");
            }
            proceeded = true;
            try {
                if (index == chain.size()) {
                    registration.invoker().invoke(job, context);
                    return context.isCancelled() ? JobOutcome.canceled() : JobOutcome.successful();
                }
                JobInterceptor interceptor = chain.get(index);
                JobOutcome outcome = interceptor.intercept(job, context, new Link(registration, job, context, index + 1));
                if (outcome == null) {
                    throw new IllegalStateException("Interceptor " + interceptor + " returned no outcome for job "
                            + job.id() + "; return what next.proceed() returned");
                }
                return outcome;
            } catch (Throwable t) {
                return classify(t);
            }
        }

        /** What a throw from the handler (or an interceptor) means for the job. */
        private JobOutcome classify(Throwable t) {
            boolean hold = registration.options().onFailure() == EntrypointOptions.OnFailure.HOLD;
            if (t instanceof Registration.PayloadFailure e) {
                return JobOutcome.failed(e.getCause(), hold); // an undecodable payload is never retried
            }
            if (context.isCancelled()) {
                return JobOutcome.canceled();
            }
            if (t instanceof RetryRequested retry) {
                return JobOutcome.retried(retry, retry.delay());
            }
            var delay = registration.options().retryPolicy().delayFor(job.attempts());
            return delay.isPresent() ? JobOutcome.retried(t, delay.get()) : JobOutcome.failed(t, hold);
        }
    }

    private void record(Job job, JobOutcome outcome) {
        switch (outcome.status()) {
            case SUCCESSFUL -> finish(job, PgqueuerStatus.successful, null);
            case CANCELED -> finish(job, PgqueuerStatus.canceled, null);
            case RETRIED -> {
                Throwable cause = outcome.error().orElseThrow();
                Duration delay = outcome.retryDelay().orElseThrow();
                String reason = cause instanceof RetryRequested r ? r.reason() : String.valueOf(cause);
                completions.add(new CompletionBuffer.Retry(job.id(), delay,
                        Traceback.ofRetry(job, cause, workerId, delay, reason)));
            }
            case EXCEPTION, HELD -> {
                Throwable error = outcome.error().orElseThrow();
                LOG.debug("Job {} ({}) failed", job.id(), job.entrypoint(), error);
                finish(job, outcome.status() == JobOutcome.Status.HELD ? PgqueuerStatus.failed : PgqueuerStatus.exception,
                        Traceback.of(job, error, workerId));
            }
        }
    }

    private void finish(Job job, PgqueuerStatus status, org.jooq.JSONB traceback) {
        if (!completions.add(new CompleteQuery.Outcome(job.id(), status, traceback))) {
            LOG.warn("Job {} finished after shutdown; it stays picked and is re-run once its heartbeat is stale", job.id());
        }
    }
}
