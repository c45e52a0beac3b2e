package org.pgqj.worker;

import java.time.Duration;
import java.util.Objects;
import org.pgqj.core.PgqjException;

/**
 * Thrown by a handler to run the job again later: the row goes back to {@code queued} with
 * {@code execute_after = now() + delay} and {@code attempts + 1}, and a {@code queued} log row
 * carries the reason as a traceback (pgqueuer's {@code RetryRequested}).
 */
public class RetryRequested extends PgqjException {

    private static final long serialVersionUID = 1L;

    /**
     * The longest delay a retry may ask for: 100 years. A longer one would overflow the row's {@code execute_after}
     * and its write would fail for ever.
     */
    public static final Duration MAX_DELAY = Duration.ofDays(36_500);

    private final Duration delay;
    private final String reason;

    /**
     * @param delay  how long to wait before the job is eligible again (zero or more, at most {@link #MAX_DELAY})
     * @param reason why, stored in the log row's traceback
     */
    public RetryRequested(Duration delay, String reason) {
        this(delay, reason, null);
    }

    /** As {@link #RetryRequested(Duration, String)}, keeping the failure that led to it. */
    public RetryRequested(Duration delay, String reason, Throwable cause) {
        super("Retry requested in " + Objects.requireNonNull(delay, "delay") + ": " + reason, cause);
        if (delay.isNegative() || delay.compareTo(MAX_DELAY) > 0) {
            throw new IllegalArgumentException("Retry delay must be zero or more and at most " + MAX_DELAY
                    + " (100 years), got " + delay);
        }
        this.delay = delay;
        this.reason = reason == null ? "" : reason;
    }

    /** The delay before the next attempt. */
    public Duration delay() {
        return delay;
    }

    /** Why the retry was requested. */
    public String reason() {
        return reason;
    }
}
