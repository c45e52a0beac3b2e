package org.pgqj.worker;

import java.time.Duration;
import java.util.Objects;
import org.pgqj.core.PgqjException;

/**
 * Thrown by a handler to run the job again after {@code delay} WITHOUT counting an attempt ("the partner API
 * says come back in 10 minutes"): the row goes back to {@code queued} with {@code execute_after = now() + delay},
 * {@code attempts} unchanged and no owner, and one {@code queued} log row without a traceback is written, as
 * pgqueuer's requeue writes it, so any worker (a Python one too) sees a normal queued job. A snooze is not a
 * failure: no failure log line, the retry policy is not asked; the outcome is {@link JobOutcome.Status#SNOOZED}.
 *
 * <pre>{@code
 * if (partner.rateLimited()) {
 *     throw new SnoozeRequested(Duration.ofMinutes(10), "partner rate limit");
 * }
 * }</pre>
 *
 * <p>A snooze never ends a job: a handler that snoozes every time it runs keeps its job queued for ever, and no
 * attempt limit stops it (that is what a snooze means). Bound it in the handler when that matters, e.g. by the
 * job's age ({@code job.created()}), and end it with {@link NonRetryableException} or success; an operator can
 * cancel it meanwhile ({@code QueueAdmin.cancel}).
 */
public class SnoozeRequested extends PgqjException {

    private static final long serialVersionUID = 1L;
    /**
     * The longest snooze: what PostgreSQL's {@code now() + interval} and a {@code Duration} in nanoseconds both
     * hold with room to spare. A longer delay would make the row's write fail for ever, and the job with it.
     */
    public static final Duration MAX_DELAY = RetryRequested.MAX_DELAY;

    private final Duration delay;
    private final String reason;

    /**
     * @param delay  how long until the job is eligible again: more than zero, at most {@link #MAX_DELAY}
     * @param reason why, for the worker's log line (may be empty)
     * @throws IllegalArgumentException naming the delay when it is out of range
     */
    public SnoozeRequested(Duration delay, String reason) {
        super("Snooze requested for " + Objects.requireNonNull(delay, "delay") + (reason == null || reason.isEmpty()
                ? "" : ": " + reason));
        if (delay.isNegative() || delay.isZero() || delay.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("Snooze delay must be more than zero and at most " + MAX_DELAY
                    + " (100 years), got " + delay);
        }
        this.delay = delay;
        this.reason = reason == null ? "" : reason;
    }

    /** How long until the job is eligible again. */
    public Duration delay() {
        return delay;
    }

    /** Why the handler snoozed (empty if it did not say). */
    public String reason() {
        return reason;
    }
}
