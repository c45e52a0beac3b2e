package org.pgqj.schedule;

import java.time.Duration;
import java.util.Objects;

/**
 * How a {@link Scheduler} polls and stops. Immutable; start from {@link #defaults()} or {@link #builder()}.
 *
 * <pre>{@code
 * SchedulerOptions.builder().maxPollInterval(Duration.ofSeconds(5)).shutdownTimeout(Duration.ofSeconds(10)).build()
 * }</pre>
 */
public final class SchedulerOptions {

    private final Duration maxPollInterval;
    private final Duration shutdownTimeout;

    private SchedulerOptions(Builder b) {
        this.maxPollInterval = b.maxPollInterval;
        this.shutdownTimeout = b.shutdownTimeout;
    }

    /** A 10 s longest poll interval and a 30 s shutdown timeout. */
    public static SchedulerOptions defaults() {
        return builder().build();
    }

    /** A builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        return new Builder().maxPollInterval(maxPollInterval).shutdownTimeout(shutdownTimeout);
    }

    /**
     * Longest time between two polls. Polls also happen right after each fire time; this bounds how late a
     * row abandoned by a dead runner is rescued after its 30 s.
     */
    public Duration maxPollInterval() {
        return maxPollInterval;
    }

    /** How long {@link Scheduler#close()} waits for running tasks before interrupting them. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    @Override
    public String toString() {
        return "SchedulerOptions[maxPollInterval=" + maxPollInterval + ", shutdownTimeout=" + shutdownTimeout + "]";
    }

    /** Builds {@link SchedulerOptions}; every setter validates and names the bad value. */
    public static final class Builder {
        private Duration maxPollInterval = Duration.ofSeconds(10);
        private Duration shutdownTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /** Longest time between two polls, at least 1 s (default 10 s), see {@link SchedulerOptions#maxPollInterval()}. */
        public Builder maxPollInterval(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("maxPollInterval must be at least 1 s, got " + interval);
            }
            this.maxPollInterval = interval;
            return this;
        }

        /** How long {@link Scheduler#close()} waits for running tasks before interrupting them (default 30 s). */
        public Builder shutdownTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "timeout");
            if (timeout.isNegative()) {
                throw new IllegalArgumentException("shutdownTimeout must not be negative, got " + timeout);
            }
            this.shutdownTimeout = timeout;
            return this;
        }

        /** The options. */
        public SchedulerOptions build() {
            return new SchedulerOptions(this);
        }
    }
}
