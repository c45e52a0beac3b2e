package org.pgqj.worker;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.pgqj.core.Job;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a handler knows about the job it runs: the row (headers, attempts...), the worker, and whether
 * the job was canceled ({@code cancellation_event}). On cancellation the handler's thread is also
 * interrupted, so blocking calls end early; a handler that returns after a cancellation is logged
 * {@code canceled}. A job that runs past its entrypoint's {@link EntrypointOptions#timeout()} is cancelled the
 * same way, and fails with a {@link JobTimeoutException}.
 */
public final class JobContext {

    private static final Logger LOG = LoggerFactory.getLogger(JobContext.class);
    private static final int RUNNING = 0;
    private static final int CANCELLED = 1;
    private static final int TIMED_OUT = 2;

    private final Job job;
    private final UUID workerId;
    /** Added by the handler (job thread); run and removed by the canceling thread. */
    private final List<Runnable> cancelListeners = new CopyOnWriteArrayList<>();
    /**
     * RUNNING until the first of a cancellation (listener, or close after the shutdown timeout) and the timeout
     * (the worker's timer thread) sets it; read by the job thread.
     */
    private final AtomicInteger state = new AtomicInteger(RUNNING);
    /** Taken once, by whichever records the job's outcome: its own thread, or the timer thread after the grace. */
    private final AtomicBoolean outcomeTaken = new AtomicBoolean();
    /** Written by the job thread (attach, detach); read by the canceling thread to interrupt it. */
    private volatile Thread thread;
    /**
     * The job's timeout and where it comes from (its entrypoint, or its {@code pgqj-timeout} header); null for none.
     * Written once by the job thread before its deadline is set; read by it and the timer thread.
     */
    private volatile Duration timeout;
    private volatile String timeoutSource;

    JobContext(Job job, UUID workerId) {
        this.job = Objects.requireNonNull(job, "job");
        this.workerId = Objects.requireNonNull(workerId, "workerId");
    }

    /**
     * A context for calling a handler directly in a unit test, e.g.
     * {@code handler.handle(payload, JobContext.forTest(Job.of("send_welcome", bytes)))}. It is not
     * cancelled, and its worker id is random.
     */
    public static JobContext forTest(Job job) {
        return new JobContext(job, UUID.randomUUID());
    }

    /** The job's row as claimed. */
    public Job job() {
        return job;
    }

    /** The id of the worker running it (its {@code queue_manager_id}). */
    public UUID workerId() {
        return workerId;
    }

    /** Whether the job was canceled while running, or ran past its entrypoint's timeout. */
    public boolean isCancelled() {
        return state.get() != RUNNING;
    }

    /** Runs {@code listener} when the job is canceled (at once if it already was). */
    public void onCancel(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        cancelListeners.add(listener);
        if (isCancelled() && cancelListeners.remove(listener)) {
            runListener(listener);
        }
    }

    /** The job thread, before the handler: a cancellation that came before it still interrupts. */
    void attach(Thread t) {
        this.thread = t;
        if (isCancelled()) {
            t.interrupt();
        }
    }

    void detach() {
        this.thread = null;
    }

    /** Where the handler's thread is now (the timer thread, for one stuck past its timeout); empty once it ended. */
    StackTraceElement[] stackTrace() {
        Thread t = thread;
        return t == null ? new StackTraceElement[0] : t.getStackTrace();
    }

    /** Marks canceled, runs listeners, interrupts the handler's thread; nothing if it timed out or was cancelled. */
    void cancel() {
        stop(CANCELLED);
    }

    /** The timer thread at the deadline: as {@link #cancel()}; false if the job was cancelled or timed out first. */
    boolean timeOut() {
        return stop(TIMED_OUT);
    }

    /** The job thread, before the handler: the job's timeout and its source for the timeout's message. */
    void limit(Duration timeout, String source) {
        this.timeoutSource = source;
        this.timeout = timeout;
    }

    /** The job's timeout, set by {@link #limit} (null when it has none). */
    Duration timeout() {
        return timeout;
    }

    /** Where {@link #timeout()} came from, e.g. "its entrypoint's timeout". */
    String timeoutSource() {
        return timeoutSource;
    }

    /** Whether the job ran past its timeout (then {@link #isCancelled()} too). */
    boolean timedOut() {
        return state.get() == TIMED_OUT;
    }

    /** Whether the job's outcome was taken (its handler returned, or the timer recorded it); never takes it. */
    boolean outcomeTaken() {
        return outcomeTaken.get();
    }

    /** True for the first caller only: it records the job's outcome; any later one records nothing. */
    boolean takeOutcome() {
        return outcomeTaken.compareAndSet(false, true);
    }

    private boolean stop(int why) {
        if (!state.compareAndSet(RUNNING, why)) {
            return false;
        }
        for (Runnable r : cancelListeners) {
            if (cancelListeners.remove(r)) {
                runListener(r);
            }
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        return true;
    }

    private void runListener(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("Cancel listener of job {} failed", job.id(), e);
        }
    }
}
