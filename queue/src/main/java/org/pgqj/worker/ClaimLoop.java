package org.pgqj.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.pgqj.core.Job;
import org.pgqj.internal.queue.ClaimQuery;
import org.pgqj.internal.queue.NextEligibleQuery;
import org.pgqj.internal.sql.Backoff;
import org.pgqj.internal.sql.ConnectionErrors;
import org.pgqj.internal.sql.DedicatedConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The claim loop, on a platform thread and the claim connection: plan (free capacity, rate tokens, the claim
 * size), claim (with the slot-holding outcomes written first, {@link WithClaimSink}), start each job
 * ({@link JobRunner}), then decide how long to wait ({@link Wakeup} ends the wait early): 100 ms while work is
 * queued but blocked by slots or rate, the next deferred job's ETA, the dequeue timeout, or the poll interval
 * while not listening. The claim size starts at batchSize, doubles after each full claim up to maxBatchSize,
 * and is batchSize again once nothing more is due.
 */
final class ClaimLoop {

    private static final Logger LOG = LoggerFactory.getLogger(ClaimLoop.class);
    private static final long BLOCKED_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /** How long the loop lets running jobs end to join a write of slot-holding outcomes. */
    private static final long COALESCE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final WorkerOptions options;
    private final Collection<Registration> registrations;
    /** Claim loop thread only. */
    private final Map<String, TokenBucket> buckets = new HashMap<>();
    private final ClaimQuery claimQuery;
    /** For the entrypoints not paused; replaced when the pauses change. Claim loop only. */
    private NextEligibleQuery nextEligible;
    private final DedicatedConnection connection;
    private final Wakeup wakeup;
    private final JobRunner runner;
    private final OwnedJobs owned;
    private final WithClaimSink withClaim;
    private final WriterThreadSink writer;
    private final BooleanSupplier listening;
    private final Observers observers;
    private final Pauses pauses;
    /** The entrypoints this worker does not claim now. Claim loop only. */
    private Set<String> paused = Set.of();
    /** Whether every entrypoint is limited (a partial claim is then the norm, not a sign of more work). */
    private final boolean allLimited;
    /** The next claim's size. Claim loop thread only. */
    private int claimSize;

    ClaimLoop(WorkerOptions options, Collection<Registration> registrations, ClaimQuery claimQuery,
              DedicatedConnection connection, Wakeup wakeup, JobRunner runner, OwnedJobs owned, WithClaimSink withClaim,
              WriterThreadSink writer, BooleanSupplier listening, Observers observers, Pauses pauses) {
        this.options = options;
        this.registrations = List.copyOf(registrations);
        this.claimQuery = claimQuery;
        this.nextEligible = new NextEligibleQuery(registrations.stream().map(Registration::name).toList());
        this.connection = connection;
        this.wakeup = wakeup;
        this.runner = runner;
        this.owned = owned;
        this.withClaim = withClaim;
        this.writer = writer;
        this.listening = listening;
        this.observers = observers;
        this.pauses = pauses;
        this.claimSize = options.batchSize();
        this.allLimited = !registrations.isEmpty() && registrations.stream().allMatch(Registration::holdsSlots);
        registrations.forEach(r -> r.options().requestsPerSecond()
                .ifPresent(rate -> buckets.put(r.name(), new TokenBucket(rate))));
    }

    /**
     * How many unwritten outcomes stop the claims: a few seconds of a busy worker's outcomes, and at least four
     * of its current claims (a healthy writer flushes every claim-sized batch, or every 100 ms), so large claims on
     * a deep backlog never trip it while writes keep up.
     */
    static int unwrittenLimit(int batchSize, int claimSize) {
        return Math.max(1_000, Math.max(20 * batchSize, 4 * Math.max(batchSize, claimSize)));
    }

    /** The loop; returns after {@link Wakeup#stopClaims()} or, in drain mode, when nothing is left. */
    void loop() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(5));
        try {
            while (!wakeup.isStopping()) {
                try {
                    pass();
                    backoff.succeeded();
                } catch (RuntimeException e) {
                    Duration wait = backoff.failed();
                    if (backoff.firstRefusal(e)) {
                        LOG.error("{}; retrying", ConnectionErrors.refusal("Worker " + options.workerId() + " cannot claim",
                                "claim", e));
                    } else {
                        LOG.warn("Claim failed ({}); retrying in {} ms", ConnectionErrors.describe(e), wait.toMillis());
                    }
                    LOG.debug("Claim failure", e);
                    wakeup.awaitClaim(wait.toNanos());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            withClaim.handOver();
            wakeup.finished();
        }
    }

    private void pass() throws InterruptedException {
        if (pauses.due()) {
            pauses.refresh(connection).ifPresent(this::pausesChanged);
        }
        if (!pauses.known()) {
            wakeup.awaitClaim(PAUSE_NANOS); // never read yet: claim nothing rather than a paused entrypoint
            return;
        }
        if (holdsClaims()) {
            // back-pressure: finished jobs whose outcomes cannot be written yet; claiming more would only run more
            // jobs nobody can record (the writer says why, and wakes this loop once it writes again)
            wakeup.blockedByWrites(true);
            if (withClaim.hasOutcomes()) {
                withClaim.writeAlone(connection);
            }
            wakeup.awaitClaim(PAUSE_NANOS);
            return;
        }
        wakeup.blockedByWrites(false);
        boolean writeHere = withClaim.hasOutcomes();
        if (writeHere) {
            wakeup.blocked(false); // the delete notification of this very write must not wake the loop for an empty claim
            // jobs of one claim tend to end together: let the others that are about to end join this write
            wakeup.awaitNoneRunning(COALESCE_NANOS);
        }
        int batch = claimSize;
        int max = options.maxConcurrentJobs();
        int capacity = max == 0 ? batch : Math.min(batch, max - wakeup.running());
        if (capacity <= 0) {
            if (writeHere) {
                withClaim.writeAlone(connection); // nothing to claim, but the slots are free for other workers
            }
            wakeup.awaitClaim(PAUSE_NANOS);
            return;
        }
        long rateWait = Long.MAX_VALUE;
        List<ClaimQuery.Part> parts = new ArrayList<>();
        for (Registration r : registrations) {
            if (paused.contains(r.name())) {
                continue;
            }
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
        List<Job> jobs = claim(parts, capacity, writeHere);
        for (Job job : jobs) {
            TokenBucket bucket = buckets.get(job.entrypoint());
            if (bucket != null) {
                bucket.take(1);
            }
            runner.start(job);
        }
        if (!jobs.isEmpty()) {
            wakeup.drained(false);
            wakeup.blocked(false);
            if (jobs.size() >= capacity) {
                // a full claim: a backlog, so claim more at once next time (up to maxBatchSize), right away
                if (capacity == claimSize) {
                    claimSize = Math.min(options.maxBatchSize(), claimSize * 2);
                    wakeup.claimSize(claimSize);
                }
                return;
            }
            if (allLimited) {
                // every entrypoint is limited: a partial claim took the free slots, and the next free slot comes
                // from a job ending here (which wakes this loop) or elsewhere (the timeout). Not "blocked": our
                // own writes' delete notifications would wake the loop for a claim that finds every slot held
                wakeup.awaitClaim(BLOCKED_WAIT_NANOS);
                return;
            }
        }
        waitAfter(jobs.isEmpty(), rateWait);
    }

    /** The pauses changed: claims and the next-eligible check leave out {@code now}. */
    private void pausesChanged(Set<String> now) {
        paused = now;
        nextEligible = new NextEligibleQuery(Pauses.active(registrations.stream().map(Registration::name).toList(), now));
        observers.onPausedChanged(now);
        wakeup.blocked(false);
    }

    /** Whether claims pause: the writer's last round failed with outcomes waiting, or too many wait. */
    private boolean holdsClaims() {
        int unwritten = owned.unwritten();
        return (writer.isFailing() && unwritten > 0) || unwritten >= unwrittenLimit(options.batchSize(), claimSize);
    }

    /** One claim of up to {@code batch}, after the slot-holding outcomes when {@code writeHere}. */
    private List<Job> claim(List<ClaimQuery.Part> parts, int batch, boolean writeHere) {
        // what woke the loop so far (a job's end, a notification) is seen by this claim: its outcome is in the
        // write it sends, its row in the claim's snapshot. Left pending, the wake-ups of the jobs that ended while
        // the loop coalesced would send it into another claim at once, with every slot held and nothing to write
        wakeup.consumeClaim();
        if (parts.isEmpty()) {
            if (writeHere) {
                withClaim.writeAlone(connection);
            }
            return List.of();
        }
        long start = System.nanoTime();
        List<Job> jobs = writeHere
                ? withClaim.writeAndClaim(connection, parts, batch, owned::ids)
                : connection.jdbc(session -> claimQuery.claim(session, parts, batch, owned.ids()));
        long nanos = System.nanoTime() - start;
        if (!observers.isEmpty()) {
            observers.onClaim(batch, jobs.size(), Duration.ofNanos(nanos));
        }
        if (LOG.isTraceEnabled()) {
            LOG.trace("claim of up to {} took {} us, got {}", batch, nanos / 1000, jobs.size());
        }
        return jobs;
    }

    /** After a partial or empty claim: whether (and when) more work is due decides the wait. */
    private void waitAfter(boolean claimedNothing, long rateWait) throws InterruptedException {
        // nothing running and no retry unwritten BEFORE the query: the query sees every job this worker put back
        boolean quiet = wakeup.running() == 0 && !owned.hasPendingRetries();
        NextEligibleQuery.NextEligible next = connection.jdbc(nextEligible::fetch);
        if (!next.isDue() && claimSize != options.batchSize()) {
            claimSize = options.batchSize(); // the backlog is gone: small claims again (full ones mean a backlog)
            wakeup.claimSize(claimSize);
        }
        if (!claimedNothing && next.isDue()) {
            return; // more became eligible meanwhile: claim again now
        }
        // eligible work that could not be claimed: slots are full (or rows locked) until someone finishes
        wakeup.blocked(claimedNothing && next.isDue());
        if (next.earliest().isEmpty() && quiet && wakeup.running() == 0) {
            wakeup.drained(true);
            if (options.mode() == WorkerOptions.Mode.DRAIN) {
                LOG.info("Worker {} drained: nothing queued, nothing running", options.workerId());
                wakeup.stopClaims();
                return;
            }
        } else {
            wakeup.drained(false);
        }
        long wait = options.dequeueTimeout().toNanos();
        if (next.earliest().isPresent()) {
            long eta = Duration.between(next.now(), next.earliest().get()).toNanos();
            wait = Math.min(wait, Math.max(eta, BLOCKED_WAIT_NANOS));
        }
        if (!listening.getAsBoolean()) {
            wait = Math.min(wait, options.pollInterval().toNanos()); // poll-only, or the listener is down
        }
        wait = Math.min(wait, Math.max(pauses.nanosUntilRecheck(), TimeUnit.MILLISECONDS.toNanos(1)));
        if (rateWait != Long.MAX_VALUE) {
            wait = Math.min(wait, Math.max(rateWait, TimeUnit.MILLISECONDS.toNanos(1)));
        }
        if (options.mode() == WorkerOptions.Mode.DRAIN && next.earliest().isEmpty()) {
            wait = Math.min(wait, BLOCKED_WAIT_NANOS); // re-check soon: running jobs may finish or retry
        }
        wakeup.awaitClaim(wait);
    }
}
