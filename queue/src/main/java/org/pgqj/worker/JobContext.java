package org.pgqj.worker;

import java.util.List;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.pgqj.core.Job;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a handler knows about the job it runs: the row (headers, attempts...), the worker, and whether
 * the job was canceled ({@code cancellation_event}). On cancellation the handler's thread is also
 * interrupted, so blocking calls end early; a handler that returns after a cancellation is logged
 * {@code canceled}.
 */
public final class JobContext {

    private static final Logger LOG = LoggerFactory.getLogger(JobContext.class);

    private final Job job;
    private final UUID workerId;
    private final List<Runnable> cancelListeners = new CopyOnWriteArrayList<>();
    private volatile boolean cancelled;
    private volatile Thread thread;

    JobContext(Job job, UUID workerId) {
        this.job = Objects.requireNonNull(job, "job");
        this.workerId = Objects.requireNonNull(workerId, "workerId");
    }

    /** The job's row as claimed. */
    public Job job() {
        return job;
    }

    /** The id of the worker running it (its {@code queue_manager_id}). */
    public UUID workerId() {
        return workerId;
    }

    /** Whether the job was canceled while running. */
    public boolean isCancelled() {
        return cancelled;
    }

    /** Runs {@code listener} when the job is canceled (at once if it already was). */
    public void onCancel(Runnable listener) {
        Objects.requireNonNull(listener, "listener");
        cancelListeners.add(listener);
        if (cancelled && cancelListeners.remove(listener)) {
            runListener(listener);
        }
    }

    void attach(Thread t) {
        this.thread = t;
    }

    void detach() {
        this.thread = null;
    }

    /** Marks canceled, runs listeners, interrupts the handler's thread. */
    void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        for (Runnable r : cancelListeners) {
            if (cancelListeners.remove(r)) {
                runListener(r);
            }
        }
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    private void runListener(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("Cancel listener of job {} failed", job.id(), e);
        }
    }
}
