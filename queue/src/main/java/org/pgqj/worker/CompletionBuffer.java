package org.pgqj.worker;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.pgqj.internal.queue.CompleteQuery;
import org.pgqj.internal.queue.RetryQuery;
import org.pgqj.internal.sql.DedicatedConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finished jobs waiting to be written. Handlers {@link #add} outcomes (and retries); the writer thread
 * {@link #awaitBatch waits} until {@code threshold} are buffered or at most 100 ms passed since the last write, then writes
 * them with one {@link CompleteQuery} (retries one {@link RetryQuery} each). A failed write puts the
 * items back for the next round. After {@link #close()} nothing more is accepted.
 *
 * <p>It is bounded by back-pressure, not by refusing outcomes: a finished job's outcome is always kept,
 * but the claim loop asks {@link #holdsClaims()} before each claim and claims nothing while writes fail
 * or more outcomes wait than a few full claims hold ({@link #unwrittenLimit()}), so a worker that cannot write never piles up finished jobs
 * (nor re-runs them: {@link #unwritten()} ids are never re-claimed as stale by this worker).
 */
final class CompletionBuffer {

    /** A retry waiting to be written. */
    record Retry(long id, Duration delay, org.jooq.JSONB traceback) {
    }

    static final long FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final Logger LOG = LoggerFactory.getLogger(CompletionBuffer.class);
    private static final int MAX_PER_STATEMENT = 1_000;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition full = lock.newCondition();
    private final ArrayDeque<CompleteQuery.Outcome> outcomes = new ArrayDeque<>();
    private final ArrayDeque<Retry> retries = new ArrayDeque<>();
    private final int baseThreshold;
    /** Outcomes that make a batch; follows the dispatcher's claim size (see {@link #threshold(int)}). */
    private volatile int threshold;
    private final CompleteQuery completeQuery = new CompleteQuery();
    private final java.util.Set<Long> unwritten = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private volatile boolean failing;
    private boolean closed;
    private boolean urgent;
    private int retriesWriting;
    /** When a flush (the writer's or the claim loop's) last took from the buffer. */
    private long lastTakeNanos = System.nanoTime();

    CompletionBuffer(int threshold) {
        this.baseThreshold = Math.max(1, threshold);
        this.threshold = baseThreshold;

    }

    /**
     * The batch that makes the writer flush: the dispatcher's current claim size (never below the
     * worker's batchSize), so a deep backlog's large claims are written in about one statement each
     * instead of one per batchSize outcomes.
     */
    void threshold(int claimSize) {
        threshold = Math.max(baseThreshold, claimSize);
    }

    /**
     * Nothing runs any more: write what is buffered now rather than waiting for a full batch or the timer
     * (the last jobs of a claim, or a single job on a quiet queue, would otherwise wait up to 100 ms).
     */
    void nudge() {
        lock.lock();
        try {
            if (!outcomes.isEmpty()) {
                urgent = true;
                full.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Ids whose outcome is buffered or being written (not yet committed), as a live view. */
    java.util.Set<Long> unwritten() {
        return unwritten;
    }

    /** Whether the claim loop must not claim: the last write failed with outcomes waiting, or too many wait. */
    boolean holdsClaims() {
        int n = unwritten.size();
        return (failing && n > 0) || n >= unwrittenLimit();
    }

    /**
     * How many unwritten outcomes stop the claims: a few seconds of a busy worker's outcomes, and at least four
     * of its current claims (a healthy writer flushes every claim-sized batch, or every 100 ms), so large claims on
     * a deep backlog never trip it while writes keep up.
     */
    int unwrittenLimit() {
        return Math.max(1_000, Math.max(20 * baseThreshold, 4 * threshold));
    }

    /** Whether the last write failed (until one succeeds). */
    boolean isFailing() {
        return failing;
    }

    /** The writer reports a failed round (completions, heartbeats or statistics) or a good one. */
    void writeFailed(boolean failed) {
        this.failing = failed;
    }

    /**
     * Buffers an outcome; false when the buffer is closed (the job will be re-run after its heartbeat
     * goes stale). A slot-holding job's outcome is not urgent here: the claim loop writes it with its next claim.
     */
    boolean add(CompleteQuery.Outcome outcome) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            outcomes.add(outcome);
            unwritten.add(outcome.id());
            if (outcomes.size() >= threshold) {
                full.signal();
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Buffers a retry; written on the next flush. */
    boolean add(Retry retry) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            retries.add(retry);
            unwritten.add(retry.id());
            full.signal();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until a batch is full, a retry is waiting, an outcome is urgent, the buffer closes, or {@code nanos}
     * passed; returns whether the writer should flush now. After the timeout only when nobody took from the
     * buffer within the last {@code nanos}: the claim loop writes a limited entrypoint's outcomes itself, every
     * few milliseconds in a busy drain, and a timer flush of the writer took them from under it (its next pass
     * then found nothing to write and claimed with every slot held). When the claim loop stops taking, the writer
     * flushes one interval later.
     */
    boolean awaitBatch(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (left > 0 && !batchDue()) {
                left = full.awaitNanos(left);
            }
            return batchDue() || System.nanoTime() - lastTakeNanos >= nanos;
        } finally {
            lock.unlock();
        }
    }

    private boolean batchDue() {
        return outcomes.size() >= threshold || !retries.isEmpty() || urgent || closed;
    }

    boolean isEmpty() {
        lock.lock();
        try {
            return outcomes.isEmpty() && retries.isEmpty();
        } finally {
            lock.unlock();
        }
    }

    /** Whether a retry is buffered or being written: its job is not yet back in the queue. */
    boolean hasPendingRetries() {
        lock.lock();
        try {
            return !retries.isEmpty() || retriesWriting > 0;
        } finally {
            lock.unlock();
        }
    }

    /** Stops accepting; what is buffered can still be flushed. */
    void close() {
        lock.lock();
        try {
            closed = true;
            full.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Writes everything buffered; returns the number of jobs written. Failed items go back. */
    int flush(DedicatedConnection connection) {
        int written = 0;
        while (true) {
            Taken taken = take();
            if (taken.retries().isEmpty() && taken.outcomes().isEmpty()) {
                return written;
            }
            written += taken.retries().size() + flushWith(connection, taken, (session, batch) -> {
                completeQuery.write(session, batch);
                return batch.size();
            });
        }
    }

    /** A write of buffered outcomes that does more in the same round trip (the claim loop's claim). */
    interface OutcomeWrite<T> {
        /** Writes {@code outcomes} (possibly none) on {@code session}, committed when it returns. */
        T write(DedicatedConnection.Session session, List<CompleteQuery.Outcome> outcomes) throws java.sql.SQLException;
    }

    /**
     * Writes the buffered retries, then hands at most one statement's worth of buffered outcomes to
     * {@code write} (which writes them along with whatever else it does) and returns its result. On a failure
     * the outcomes not written go back into the buffer and the failure is thrown.
     */
    <T> T flushWith(DedicatedConnection connection, OutcomeWrite<T> write) {
        return flushWith(connection, take(), write);
    }

    /** Retries and outcomes taken out of the buffer for one write. */
    private record Taken(List<Retry> retries, List<CompleteQuery.Outcome> outcomes) {
    }

    /** Takes every buffered retry and at most one statement's worth of outcomes. */
    private Taken take() {
        List<Retry> r = new ArrayList<>();
        List<CompleteQuery.Outcome> batch = new ArrayList<>();
        lock.lock();
        try {
            urgent = false;
            lastTakeNanos = System.nanoTime();
            while (!retries.isEmpty()) {
                r.add(retries.poll());
            }
            retriesWriting += r.size(); // the writer and the claim loop (limited entrypoints) both flush
            while (!outcomes.isEmpty() && batch.size() < MAX_PER_STATEMENT) {
                batch.add(outcomes.poll());
            }
        } finally {
            lock.unlock();
        }
        return new Taken(r, batch);
    }

    private <T> T flushWith(DedicatedConnection connection, Taken taken, OutcomeWrite<T> write) {
        List<CompleteQuery.Outcome> batch = taken.outcomes();
        writeRetries(connection, taken.retries(), batch);
        try {
            T result = connection.jdbc(session -> write.write(session, batch));
            batch.forEach(o -> unwritten.remove(o.id()));
            return result;
        } catch (RuntimeException e) {
            requeue(0, List.of(), batch);
            throw e;
        }
    }

    /** Writes {@code r} one by one; on a failure puts back what is left of them and {@code batch}, and throws. */
    private void writeRetries(DedicatedConnection connection, List<Retry> r, List<CompleteQuery.Outcome> batch) {
        for (int i = 0; i < r.size(); i++) {
            Retry retry = r.get(i);
            try {
                connection.run(dsl -> {
                    RetryQuery.retry(dsl, connection.tables(), retry.id(), retry.delay(), retry.traceback());
                    return null;
                });
                unwritten.remove(retry.id());
            } catch (RuntimeException e) {
                requeue(r.size(), r.subList(i, r.size()), batch);
                throw e;
            }
        }
        retriesDone(r.size());
    }

    private void retriesDone(int n) {
        lock.lock();
        try {
            retriesWriting -= n;
        } finally {
            lock.unlock();
        }
    }

    private void requeue(int retriesTaken, List<Retry> r, List<CompleteQuery.Outcome> batch) {
        lock.lock();
        try {
            retriesWriting -= retriesTaken;
            r.forEach(retries::addFirst);
            batch.forEach(outcomes::addFirst);
        } finally {
            lock.unlock();
        }
        LOG.debug("Put back {} retries and {} outcomes after a failed write", r.size(), batch.size());
    }
}
