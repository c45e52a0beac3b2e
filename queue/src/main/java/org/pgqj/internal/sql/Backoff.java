package org.pgqj.internal.sql;

import java.time.Duration;

/**
 * How long a loop waits after a database failure before it tries again: {@code first}, doubling with each
 * failure in a row up to {@code max}, and {@code first} again after a success. It also remembers whether the
 * current run of failures has reported the server's connection limit, so that an outage logs its ERROR once.
 * Used by every reconnect and retry loop of the library (worker start, claim loop, writer, LISTEN connection).
 * One thread at a time.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class Backoff {

    private final long firstNanos;
    private final long maxNanos;
    /** The wait after the next failure (owner thread only). */
    private long nextNanos;
    /** Failures since the last success (owner thread only). */
    private int failures;
    /** Whether this run of failures reported a connection-limit refusal yet (owner thread only). */
    private boolean refusalReported;

    /** Waits of {@code first}, doubling up to {@code max}. */
    public Backoff(Duration first, Duration max) {
        if (!first.isPositive() || max.compareTo(first) < 0) {
            throw new IllegalArgumentException("a backoff needs 0 < first <= max, got " + first + " and " + max);
        }
        this.firstNanos = first.toNanos();
        this.maxNanos = max.toNanos();
        this.nextNanos = firstNanos;
    }

    /** A failure: returns how long to wait before the next attempt. */
    public Duration failed() {
        failures++;
        long wait = nextNanos;
        nextNanos = Math.min(maxNanos, nextNanos * 2);
        return Duration.ofNanos(wait);
    }

    /** A success: the next failure waits {@code first} again. Returns how many failures in a row came before it. */
    public int succeeded() {
        int before = failures;
        failures = 0;
        nextNanos = firstNanos;
        refusalReported = false;
        return before;
    }

    /** Failures in a row so far. */
    public int failures() {
        return failures;
    }

    /**
     * Whether {@code e} is the server refusing a connection for lack of slots and this run of failures has
     * not reported one yet; true once per run, so the caller logs {@link ConnectionErrors#refusal} once.
     */
    public boolean firstRefusal(Throwable e) {
        if (refusalReported || !ConnectionErrors.isTooManyConnections(e)) {
            return false;
        }
        refusalReported = true;
        return true;
    }

    /** Sleeps {@code wait}; an interrupt ends the sleep early and stays set on the thread. */
    public static void sleep(Duration wait) {
        try {
            Thread.sleep(wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
