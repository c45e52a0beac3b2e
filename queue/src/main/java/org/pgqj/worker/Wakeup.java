package org.pgqj.worker;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import org.pgqj.notify.TableChangedEvent;

/**
 * The worker's one lock, its three conditions, and every rule that decides "wake now": the claim loop (a
 * notification, a job's end, a write, shutdown) and the writer (a batch, a retry, nothing running, shutdown).
 * Whoever observes an event calls the rule named for it; the rule decides whom to wake. The waits live here
 * too, each with a timeout, each ended by shutdown.
 */
final class Wakeup {

    /** How often the waits on the job count look again (they also read the claim loop's flags). */
    private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final ReentrantLock lock = new ReentrantLock();
    /** The claim loop waits here for a reason to claim. */
    private final Condition claim = lock.newCondition();
    /** Waits for fewer running jobs: close (idle), awaitDrained, the claim loop's coalescing. */
    private final Condition jobsEnded = lock.newCondition();
    /** The writer thread waits here for outcomes to write. */
    private final Condition write = lock.newCondition();

    private final WorkerOptions options;
    /** Whether some entrypoint holds concurrency slots (their finished jobs free a slot once written). */
    private final boolean limited;
    /** Whether the writer's buffer holds outcomes (read outside the lock; the buffer has its own). */
    private final BooleanSupplier writerHasOutcomes;

    /** Guarded by lock. Set by every thread that wakes the claim loop; cleared by the claim loop. */
    private boolean claimPending;
    /** Written under lock: set by the write rules, cleared by the writer thread when it wakes; read without it too. */
    private volatile boolean writePending;
    /** Jobs running: incremented by the claim loop (start), decremented by the job's thread (end); read by all. */
    private final AtomicInteger running = new AtomicInteger();
    /** Callers of awaitDrained now: written by them, read by job threads and the writer (drain rules). */
    private final AtomicInteger drainWaiters = new AtomicInteger();
    /** Written by close() and the claim loop (drain done); read by the claim loop and the waits. */
    private volatile boolean stopping;
    /** Written by close(); read by the writer thread, which then ends. */
    private volatile boolean writerStopping;
    /** Written by the claim loop: its last claim found eligible jobs it could not take. Read by the listener and job threads. */
    private volatile boolean blocked;
    /** Written by the claim loop: it pauses for unwritten outcomes. Read by the writer thread. */
    private volatile boolean blockedByWrites;
    /** Written by the claim loop: nothing queued, nothing running. Read by awaitDrained. */
    private volatile boolean drained;
    /** Written by the claim loop when it ends. Read by awaitDrained. */
    private volatile boolean finished;
    /** Outcomes that make a batch for the writer: the claim size (never below batchSize). Written by the claim loop, read by job threads. */
    private volatile int batch;

    Wakeup(WorkerOptions options, boolean limited, BooleanSupplier writerHasOutcomes) {
        this.options = options;
        this.limited = limited;
        this.writerHasOutcomes = writerHasOutcomes;
        this.batch = options.batchSize();
    }

    /** A notification: new or requeued work wakes the claim loop; a deleted row only when slots were full. */
    void tableChanged(TableChangedEvent event) {
        if (event.addsWork() || ("delete".equals(event.operation()) && blocked)) {
            claimNow(); // a job finished somewhere: its concurrency slot may be free now
        }
    }

    /** The LISTEN connection is (back) up: notifications may have been missed while it was down. */
    void listenerConnected() {
        claimNow();
    }

    /** The claim loop started a job. */
    void jobStarted() {
        running.incrementAndGet();
    }

    /**
     * A job ended (its outcome is buffered). A job that held a concurrency slot always wakes the claim loop, which
     * writes the outcome (freeing the slot) and claims into it in one pass; before the count drops, so a loop that
     * waits for nothing running finds the wake pending and consumes it with the write that carries this outcome.
     * Any other job wakes the claim loop only when it frees capacity someone waits for (an idle worker would
     * otherwise claim after every job), and the writer when nothing runs any more (nothing will join its batch).
     */
    void jobEnded(boolean heldSlot) {
        if (heldSlot) {
            claimNow();
        }
        int before = running.getAndDecrement();
        if (before == 1) {
            if (!heldSlot && writerHasOutcomes.getAsBoolean()) {
                writeNow();
            }
            // every waiter on the job count waits for none running: one signal per job woke them for nothing
            signalJobsEnded();
        }
        int max = options.maxConcurrentJobs();
        if (!heldSlot && ((max > 0 && before >= max) || (before == 1 && draining()) || blocked)) {
            claimNow();
        }
    }

    /** The writer's buffer holds {@code buffered} outcomes: a claim's worth makes a batch to write now. */
    void outcomeBuffered(int buffered) {
        if (buffered >= batch) {
            writeNow();
        }
    }

    /** A retry is buffered: its job should be back in the queue soon, so it is written now. */
    void retryBuffered() {
        writeNow();
    }

    /**
     * The writer committed outcomes: with limited entrypoints their slots are free, and a claim loop that paused
     * for unwritten outcomes may go on; someone waiting for the drain must look again (a retry may be queued now).
     */
    void outcomesWritten() {
        if (limited || blockedByWrites || draining()) {
            claimNow();
        }
    }

    /** The writer writes again after failures: claiming, paused meanwhile, goes on. */
    void writesRecovered() {
        claimNow();
    }

    /** Write the writer's buffer now (also: the claim loop handed it outcomes it could not write). */
    void writeNow() {
        if (writePending) {
            return; // the writer has yet to wake and take: it takes what was added before this
        }
        lock.lock();
        try {
            writePending = true;
            write.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Look for work now. */
    void claimNow() {
        lock.lock();
        try {
            claimPending = true;
            claim.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Stop claiming (running jobs go on). */
    void stopClaims() {
        stopping = true;
        claimNow();
    }

    boolean isStopping() {
        return stopping;
    }

    /** The claim size now: a batch for the writer is as large (never below batchSize). */
    void claimSize(int size) {
        batch = Math.max(options.batchSize(), size);
    }

    void blocked(boolean value) {
        blocked = value;
    }

    void blockedByWrites(boolean value) {
        blockedByWrites = value;
    }

    void drained(boolean value) {
        drained = value;
        if (value) {
            signalJobsEnded();
        }
    }

    /** The claim loop ended. */
    void finished() {
        finished = true;
        signalJobsEnded();
    }

    int running() {
        return running.get();
    }

    private boolean draining() {
        return options.mode() == WorkerOptions.Mode.DRAIN || drainWaiters.get() > 0;
    }

    /** The claim loop: waits for a wake-up, stop, or {@code nanos}; consumes the wake-up. */
    void awaitClaim(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (!claimPending && !stopping && left > 0) {
                left = claim.awaitNanos(left);
            }
            claimPending = false;
        } finally {
            lock.unlock();
        }
    }

    /** The claim loop: what woke it so far is seen by the claim it is about to send. */
    void consumeClaim() {
        lock.lock();
        try {
            claimPending = false;
        } finally {
            lock.unlock();
        }
    }

    /** The claim loop: waits until no job runs, at most {@code nanos} (wake-ups do not end it). */
    void awaitNoneRunning(long nanos) throws InterruptedException {
        if (running.get() == 0) {
            return;
        }
        lock.lock();
        try {
            long left = nanos;
            while (running.get() > 0 && !stopping && left > 0) {
                left = jobsEnded.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    /** The writer thread: waits for outcomes to write, stop, or {@code nanos}; consumes the request. */
    void awaitWrite(long nanos) throws InterruptedException {
        lock.lock();
        try {
            long left = nanos;
            while (!writePending && !writerStopping && left > 0) {
                left = write.awaitNanos(left);
            }
            writePending = false;
        } finally {
            lock.unlock();
        }
    }

    /** Ends the writer thread's loop after its current round. */
    void stopWriter() {
        writerStopping = true;
        writeNow();
    }

    boolean isWriterStopping() {
        return writerStopping;
    }

    /** Waits until no job runs; false on timeout. */
    boolean awaitIdle(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            long left;
            while (running.get() > 0 && (left = deadline - System.nanoTime()) > 0) {
                jobsEnded.awaitNanos(Math.min(left, RECHECK_NANOS));
            }
            return running.get() == 0;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until nothing is queued for the worker's entrypoints and nothing runs (or the claim loop ended); false on timeout. */
    boolean awaitDrained(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        drainWaiters.incrementAndGet();
        claimNow();
        lock.lock();
        try {
            long left;
            while (!(drained && running.get() == 0) && !finished && (left = deadline - System.nanoTime()) > 0) {
                jobsEnded.awaitNanos(Math.min(left, RECHECK_NANOS));
            }
            return (drained || finished) && running.get() == 0;
        } finally {
            lock.unlock();
            drainWaiters.decrementAndGet();
        }
    }

    private void signalJobsEnded() {
        lock.lock();
        try {
            jobsEnded.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
