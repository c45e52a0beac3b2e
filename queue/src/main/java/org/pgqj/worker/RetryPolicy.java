package org.pgqj.worker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * What happens when a handler throws (anything but {@link RetryRequested}, which always retries).
 * {@link #none()} ends the job at once; {@link #exponentialBackoff()} is pgqueuer's database retry
 * executor: while {@code attempts < maxAttempts} the job is re-queued after
 * {@code min(initial * multiplier^attempts, max)}; after that it ends as {@code exception}
 * (or {@code failed} when held).
 *
 * <p>Some failures are never retried, whatever attempts are left: a {@link NonRetryableException} (thrown or
 * subclassed by the handler), and, for exceptions the team does not own, what {@link #noRetryFor(Class[])} names
 * or {@link #retryOn(Predicate)} rejects. Each is matched against the exception the handler threw (a
 * {@link JobTimeoutException} for a timeout), not its causes.
 *
 * <pre>{@code
 * RetryPolicy.exponentialBackoff().noRetryFor(IllegalArgumentException.class, JsonProcessingException.class)
 * RetryPolicy.exponentialBackoff().retryOn(e -> !(e instanceof HttpException h) || h.status() >= 500)
 * }</pre>
 *
 * @param initialDelay delay before the first retry
 * @param multiplier   growth per attempt (at least 1)
 * @param maxDelay     cap on the delay
 * @param maxAttempts  retries before giving up (0 = never retry)
 * @param noRetryFor   exception types (and their subtypes) that are never retried
 * @param retryOn      which exceptions may be retried (others fail at once); {@link #ANY} by default
 */
public record RetryPolicy(Duration initialDelay, double multiplier, Duration maxDelay, int maxAttempts,
                          List<Class<? extends Throwable>> noRetryFor, Predicate<Throwable> retryOn) {

    /** The default {@link #retryOn()}: every exception may be retried. */
    public static final Predicate<Throwable> ANY = new Predicate<>() {
        @Override
        public boolean test(Throwable t) {
            return true;
        }

        @Override
        public String toString() {
            return "any";
        }
    };

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
        noRetryFor = List.copyOf(Objects.requireNonNull(noRetryFor, "noRetryFor"));
        Objects.requireNonNull(retryOn, "retryOn");
    }

    /** A policy that retries every exception but {@link NonRetryableException}s. */
    public RetryPolicy(Duration initialDelay, double multiplier, Duration maxDelay, int maxAttempts) {
        this(initialDelay, multiplier, maxDelay, maxAttempts, List.of(), ANY);
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

    /**
     * This policy, never retrying {@code types} (nor their subtypes): such a failure is the entrypoint's final
     * failure at once, logged "not retried: matches noRetryFor(Type)".
     */
    @SafeVarargs
    public final RetryPolicy noRetryFor(Class<? extends Throwable>... types) {
        List<Class<? extends Throwable>> all = new ArrayList<>(noRetryFor);
        for (Class<? extends Throwable> type : Objects.requireNonNull(types, "types")) {
            all.add(Objects.requireNonNull(type, () -> "noRetryFor types must not be null, got " + Arrays.toString(types)));
        }
        return new RetryPolicy(initialDelay, multiplier, maxDelay, maxAttempts, all, retryOn);
    }

    /**
     * This policy, retrying only the exceptions {@code retryable} accepts (and that this policy already retried):
     * any other is the entrypoint's final failure at once, logged "not retried: rejected by retryOn".
     */
    public RetryPolicy retryOn(Predicate<Throwable> retryable) {
        Objects.requireNonNull(retryable, "retryable");
        return new RetryPolicy(initialDelay, multiplier, maxDelay, maxAttempts, noRetryFor,
                retryOn == ANY ? retryable : retryOn.and(retryable));
    }

    /** Why {@code error} is never retried, or empty when this policy may retry it. */
    Optional<String> notRetried(Throwable error) {
        if (error instanceof NonRetryableException) {
            return Optional.of("NonRetryableException");
        }
        for (Class<? extends Throwable> type : noRetryFor) {
            if (type.isInstance(error)) {
                return Optional.of("matches noRetryFor(" + type.getSimpleName() + ")");
            }
        }
        try {
            return retryOn.test(error) ? Optional.empty() : Optional.of("rejected by retryOn");
        } catch (RuntimeException e) { // a broken predicate must not leave the job picked: final, and it says why
            return Optional.of("retryOn threw " + e);
        }
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
