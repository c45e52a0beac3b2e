package org.pgqj.worker;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jooq.JSONB;
import org.pgqj.internal.queue.CompleteQuery;
import org.pgqj.internal.queue.RetryQuery;

/**
 * Finished jobs waiting to be written: job threads {@link #add} them, ONE thread {@link #take}s them (its
 * sink's writer), and what it committed it reports back ({@link #committed}); what it could not write goes back
 * ({@link #putBack}) or elsewhere ({@link #forget}). Until committed an id is {@link #unwritten()}: still this
 * worker's job, heartbeated and never re-claimed as stale here. After {@link #close()} it accepts nothing.
 * No SQL, no wake-ups: the sinks do those.
 */
final class OutcomeBuffer {

    /**
     * A retry waiting to be written ({@link RetryQuery#retry}), or a snooze ({@code traceback} null:
     * {@link RetryQuery#snooze}, no attempt counted, no traceback logged).
     */
    record Retry(long id, Duration delay, JSONB traceback) {
        static Retry snooze(long id, Duration delay) {
            return new Retry(id, delay, null);
        }

        boolean isSnooze() {
            return traceback == null;
        }
    }

    /** What one write takes: every buffered retry and at most one statement's worth of outcomes. */
    record Taken(List<Retry> retries, List<CompleteQuery.Outcome> outcomes) {
        boolean isEmpty() {
            return retries.isEmpty() && outcomes.isEmpty();
        }

        int size() {
            return retries.size() + outcomes.size();
        }
    }

    /** {@link #add(CompleteQuery.Outcome)} after {@link #close()}. */
    static final int REFUSED = -1;
    /** Most outcomes per completion statement. */
    static final int MAX_PER_STATEMENT = 1_000;

    /** Guarded by this: added by job threads, taken by the buffer's one writer. */
    private final ArrayDeque<CompleteQuery.Outcome> outcomes = new ArrayDeque<>();
    /** Guarded by this, likewise. */
    private final ArrayDeque<Retry> retries = new ArrayDeque<>();
    /** Guarded by this: set by close(), read by add. */
    private boolean closed;
    /** Ids added and not yet committed or forgotten: added by job threads, removed by the writer; read by any. */
    private final Set<Long> unwritten = ConcurrentHashMap.newKeySet();
    /** Retries added and not yet committed or forgotten: same threads as {@link #unwritten}. */
    private final AtomicInteger unwrittenRetries = new AtomicInteger();

    /** Buffers a final outcome; returns how many outcomes are buffered now, or {@link #REFUSED} once closed. */
    synchronized int add(CompleteQuery.Outcome outcome) {
        if (closed) {
            return REFUSED;
        }
        unwritten.add(outcome.id());
        outcomes.add(outcome);
        return outcomes.size();
    }

    /** Buffers a retry; false once closed. */
    synchronized boolean add(Retry retry) {
        if (closed) {
            return false;
        }
        unwritten.add(retry.id());
        unwrittenRetries.incrementAndGet();
        retries.add(retry);
        return true;
    }

    /** Takes every buffered retry and at most {@link #MAX_PER_STATEMENT} outcomes (possibly nothing). */
    synchronized Taken take() {
        List<Retry> r = new ArrayList<>(retries);
        retries.clear();
        List<CompleteQuery.Outcome> batch = new ArrayList<>(Math.min(outcomes.size(), MAX_PER_STATEMENT));
        while (!outcomes.isEmpty() && batch.size() < MAX_PER_STATEMENT) {
            batch.add(outcomes.poll());
        }
        return new Taken(r, batch);
    }

    /** Puts what a failed write took back in front, for the next write; accepted even when closed (the final flush). */
    synchronized void putBack(Taken taken) {
        taken.retries().reversed().forEach(retries::addFirst);
        taken.outcomes().reversed().forEach(outcomes::addFirst);
    }

    /** The retry is committed: its job is back in the queue. */
    void committed(Retry retry) {
        unwritten.remove(retry.id());
        unwrittenRetries.decrementAndGet();
    }

    /** The outcomes are committed. */
    void committed(List<CompleteQuery.Outcome> written) {
        written.forEach(o -> unwritten.remove(o.id()));
    }

    /** What was taken is another buffer's now (which has added it already): no longer this one's to write. */
    void forget(Taken taken) {
        taken.retries().forEach(this::committed);
        committed(taken.outcomes());
    }

    /** Accepts nothing more; what is buffered stays to be taken. */
    synchronized void close() {
        closed = true;
    }

    synchronized boolean isEmpty() {
        return outcomes.isEmpty() && retries.isEmpty();
    }

    /** Ids added and not yet committed, as a live view. */
    Set<Long> unwritten() {
        return unwritten;
    }

    /** Whether a retry was added and not yet committed: its job is not back in the queue yet. */
    boolean hasPendingRetries() {
        return unwrittenRetries.get() > 0;
    }
}
