package org.pgqj.worker;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How one entrypoint runs (CONTRACT §8, the seed's options). Immutable; start from
 * {@link #defaults()} or {@link #builder()}.
 *
 * <pre>{@code
 * EntrypointOptions.builder().concurrencyLimit(4).requestsPerSecond(50).onFailure(OnFailure.HOLD).build()
 * }</pre>
 */
public final class EntrypointOptions {

    /** What a job that ends in an exception leaves behind. */
    public enum OnFailure {
        /** The row is deleted and logged {@code exception} (pgqueuer's default). */
        DELETE,
        /** The row stays as {@code failed} for inspection and requeue; logged {@code failed}. */
        HOLD
    }

    private final int concurrencyLimit;
    private final double requestsPerSecond;
    private final Duration retryTimer;
    private final boolean serializedDispatch;
    private final OnFailure onFailure;
    private final RetryPolicy retryPolicy;
    private final Duration timeout;

    private EntrypointOptions(Builder b) {
        this.concurrencyLimit = b.concurrencyLimit;
        this.requestsPerSecond = b.requestsPerSecond;
        this.retryTimer = b.retryTimer;
        this.serializedDispatch = b.serializedDispatch;
        this.onFailure = b.onFailure;
        this.retryPolicy = b.retryPolicy;
        this.timeout = b.timeout;
    }

    /** Unlimited, no rate limit, the worker's heartbeat timeout for rescue, delete on failure, no retries, no timeout. */
    public static EntrypointOptions defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.concurrencyLimit = concurrencyLimit;
        b.requestsPerSecond = requestsPerSecond;
        b.retryTimer = retryTimer;
        b.serializedDispatch = serializedDispatch;
        b.onFailure = onFailure;
        b.retryPolicy = retryPolicy;
        b.timeout = timeout;
        return b;
    }

    /** Jobs of this entrypoint in flight across all workers; 0 = unlimited. */
    public int concurrencyLimit() {
        return concurrencyLimit;
    }

    /** Claims per second on this worker (token bucket); empty = unlimited. */
    public Optional<Double> requestsPerSecond() {
        return requestsPerSecond == 0 ? Optional.empty() : Optional.of(requestsPerSecond);
    }

    /** Age of a stopped heartbeat after which a picked job is claimed again; empty = the worker's heartbeat timeout. */
    public Optional<Duration> retryTimer() {
        return Optional.ofNullable(retryTimer);
    }

    /** Whether at most one job runs at a time across all workers. */
    public boolean serializedDispatch() {
        return serializedDispatch;
    }

    /** The limit the slot protocol enforces: 1 when serialized, else {@link #concurrencyLimit()}. */
    public int effectiveConcurrencyLimit() {
        return serializedDispatch ? 1 : concurrencyLimit;
    }

    /** What a failure leaves behind. */
    public OnFailure onFailure() {
        return onFailure;
    }

    /** What happens when the handler throws. */
    public RetryPolicy retryPolicy() {
        return retryPolicy;
    }

    /**
     * How long one run of a job may take; empty = no limit. At the deadline the job's {@link JobContext} is
     * cancelled and its thread interrupted, and the job fails with a {@link JobTimeoutException} that follows
     * {@link #retryPolicy()} and {@link #onFailure()} (see {@link Builder#timeout(Duration)}).
     */
    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    @Override
    public String toString() {
        return "EntrypointOptions[concurrencyLimit=" + concurrencyLimit + ", requestsPerSecond=" + requestsPerSecond
                + ", retryTimer=" + retryTimer + ", serializedDispatch=" + serializedDispatch + ", onFailure="
                + onFailure + ", retryPolicy=" + retryPolicy + ", timeout=" + timeout + "]";
    }

    /** Builds {@link EntrypointOptions}; every setter validates and names the bad value. */
    public static final class Builder {
        private int concurrencyLimit;
        private double requestsPerSecond;
        private Duration retryTimer;
        private boolean serializedDispatch;
        private OnFailure onFailure = OnFailure.DELETE;
        private RetryPolicy retryPolicy = RetryPolicy.none();
        private Duration timeout;

        private Builder() {
        }

        /** Global in-flight limit across workers (0 = unlimited). Workers sharing the entrypoint must agree. */
        public Builder concurrencyLimit(int limit) {
            if (limit < 0) {
                throw new WorkerException("concurrencyLimit must be 0 (unlimited) or more, got " + limit);
            }
            this.concurrencyLimit = limit;
            return this;
        }

        /** Claims per second on this worker; must be positive. */
        public Builder requestsPerSecond(double rate) {
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new WorkerException("requestsPerSecond must be a positive finite number, got " + rate
                        + "; leave it unset for no rate limit");
            }
            this.requestsPerSecond = rate;
            return this;
        }

        /** Re-claim a picked job of this entrypoint whose heartbeat is older than this. */
        public Builder retryTimer(Duration timer) {
            if (timer == null || timer.isNegative() || timer.isZero()) {
                throw new WorkerException("retryTimer must be a positive duration, got " + timer);
            }
            this.retryTimer = timer;
            return this;
        }

        /** At most one job of this entrypoint in flight across all workers. */
        public Builder serializedDispatch(boolean serialized) {
            this.serializedDispatch = serialized;
            return this;
        }

        /** Delete (default) or hold failed jobs. */
        public Builder onFailure(OnFailure onFailure) {
            this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
            return this;
        }

        /** What to do when the handler throws (default {@link RetryPolicy#none()}). */
        public Builder retryPolicy(RetryPolicy policy) {
            this.retryPolicy = Objects.requireNonNull(policy, "retryPolicy");
            return this;
        }

        /**
         * The longest one run of a job may take (default: no limit). At the deadline its {@link JobContext} is
         * cancelled ({@link JobContext#isCancelled()}, the cancel listeners) and its thread interrupted; the job
         * fails with a {@link JobTimeoutException}, retried per {@link #retryPolicy(RetryPolicy)}, else held or
         * {@code exception} per {@link #onFailure(OnFailure)}. A handler still running a grace of
         * {@code min(timeout, 5 s)} later (it ignored the interrupt) is logged once at WARN; its timeout outcome is
         * written then, its slot freed, and it no longer holds up the worker's shutdown; it keeps its thread until it
         * returns, and what it returns then is not recorded. At most {@link RetryRequested#MAX_DELAY} (100 years).
         */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()
                    || timeout.compareTo(RetryRequested.MAX_DELAY) > 0) {
                throw new WorkerException("timeout must be a positive duration of at most " + RetryRequested.MAX_DELAY
                        + " (100 years), got " + timeout + "; leave it unset for no timeout");
            }
            this.timeout = timeout;
            return this;
        }

        /** The options. */
        public EntrypointOptions build() {
            if (serializedDispatch && concurrencyLimit > 1) {
                throw new WorkerException("serializedDispatch means a global limit of 1, but concurrencyLimit is "
                        + concurrencyLimit + "; set one or the other");
            }
            return new EntrypointOptions(this);
        }
    }
}
