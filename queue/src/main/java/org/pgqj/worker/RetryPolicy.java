package org.pgqj.worker;

import java.time.Duration;
import java.util.Optional;

/**
 * What happens when a handler throws (anything but {@link RetryRequested}, which always retries).
 * {@link #none()} ends the job at once; {@link #exponentialBackoff()} is pgqueuer's database retry
 * executor: while {@code attempts < maxAttempts} the job is re-queued after
 * {@code min(initial * multiplier^attempts, max)}; after that it ends as {@code exception}
 * (or {@code failed} when held).
 *
 * @param initialDelay delay before the first retry
 * @param multiplier   growth per attempt (at least 1)
 * @param maxDelay     cap on the delay
 * @param maxAttempts  retries before giving up (0 = never retry)
 */
public record RetryPolicy(Duration initialDelay, double multiplier, Duration maxDelay, int maxAttempts) {

    /** Validates; messages name the bad value. */
    public RetryPolicy {
        if (initialDelay == null || initialDelay.isNegative()) {
            throw new WorkerException("RetryPolicy initialDelay must be zero or more, got " + initialDelay);
        }
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier)) {
            throw new WorkerException("RetryPolicy multiplier must be a finite number >= 1, got " + multiplier);
        }
        if (maxDelay == null || maxDelay.compareTo(initialDelay) < 0) {
            throw new WorkerException("RetryPolicy maxDelay must be >= initialDelay (" + initialDelay + "), got " + maxDelay);
        }
        if (maxAttempts < 0) {
            throw new WorkerException("RetryPolicy maxAttempts must be zero or more, got " + maxAttempts);
        }
    }

    /** No retries: a thrown exception ends the job. */
    public static RetryPolicy none() {
        return new RetryPolicy(Duration.ZERO, 1.0, Duration.ZERO, 0);
    }

    /** pgqueuer's defaults: 1 s, ×2, at most 5 min, 5 attempts. */
    public static RetryPolicy exponentialBackoff() {
        return new RetryPolicy(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5), 5);
    }

    /** Exponential backoff with these values. */
    public static RetryPolicy exponentialBackoff(Duration initialDelay, double multiplier, Duration maxDelay, int maxAttempts) {
        return new RetryPolicy(initialDelay, multiplier, maxDelay, maxAttempts);
    }

    /** The delay for a job that has had {@code attempts} retries, or empty when it should not be retried. */
    public Optional<Duration> delayFor(int attempts) {
        if (attempts >= maxAttempts) {
            return Optional.empty();
        }
        // pgqueuer 2.0 fixed an overflow of the backoff for large attempt counts. Here multiplier^attempts may
        // be +Infinity (and 0 * Infinity NaN); anything not below the cap is the cap, a zero start stays zero.
        if (initialDelay.isZero() || attempts <= 0) {
            return Optional.of(initialDelay.compareTo(maxDelay) > 0 ? maxDelay : initialDelay);
        }
        double millis = initialDelay.toMillis() * Math.pow(multiplier, attempts);
        if (!(millis < maxDelay.toMillis())) {
            return Optional.of(maxDelay);
        }
        return Optional.of(Duration.ofMillis((long) millis));
    }
}
