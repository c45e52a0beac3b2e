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
    /** Added by the handler (job thread); run and removed by the canceling thread. */
    private final List<Runnable> cancelListeners = new CopyOnWriteArrayList<>();
    /** Written by the canceling thread (listener, or close after the shutdown timeout); read by the job thread. */
    private volatile boolean cancelled;
    /** Written by the job thread (attach, detach); read by the canceling thread to interrupt it. */
    private volatile Thread thread;

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
