package org.pgqj.worker;

import java.time.Duration;
import java.util.Objects;

/**
 * How a worker logs its failed jobs (logger {@code org.pgqj.worker.FailureLog}): one line per failed job at
 * {@link #retryLevel()} when it is retried or held ({@code failed}, kept for a requeue), at {@link #finalLevel()}
 * when it failed for good ({@code exception}), naming job id, entrypoint, attempt, outcome and the exception's
 * type and message, with the stack trace unless {@link #stackTrace()} is false; the job's MDC keys
 * ({@code pgqj.job_id}, {@code pgqj.entrypoint}, {@code pgqj.attempt}) are set while it is logged.
 *
 * <p>A flood does not flood the log: past {@link #floodThreshold()} lines of one entrypoint within
 * {@link #floodInterval()}, its failures are counted instead, and one summary line per entrypoint ("312 more
 * failures of charge_card in the last 60 s, last: ...") follows when the interval ends (and at close).
 * Immutable; start from {@link #defaults()} or {@link #off()}.
 *
 * @param retryLevel     the level of a retried or held job's line
 * @param finalLevel     the level of a job's line when it failed for good
 * @param floodThreshold lines per entrypoint and interval before the rest are summarised; 0 never summarises
 * @param floodInterval  the interval the threshold counts in
 * @param stackTrace     whether the line carries the stack trace (as SLF4J's throwable argument)
 */
public record FailureLogging(Level retryLevel, Level finalLevel, int floodThreshold, Duration floodInterval,
                             boolean stackTrace) {

    /** The default lines per entrypoint and interval: {@value}. */
    public static final int DEFAULT_FLOOD_THRESHOLD = 10;
    /** The default interval of the flood threshold: 60 s. */
    public static final Duration DEFAULT_FLOOD_INTERVAL = Duration.ofSeconds(60);

    /** The level of a line; {@link #OFF} logs nothing. */
    public enum Level {
        /** ERROR. */
        ERROR,
        /** WARN. */
        WARN,
        /** INFO. */
        INFO,
        /** DEBUG. */
        DEBUG,
        /** No line. */
        OFF
    }

    /** Validates; names the bad value. */
    public FailureLogging {
        Objects.requireNonNull(retryLevel, "retryLevel");
        Objects.requireNonNull(finalLevel, "finalLevel");
        if (floodThreshold < 0) {
            throw new WorkerException("failure logging floodThreshold must be 0 (never summarise) or more, got "
                    + floodThreshold);
        }
        if (floodInterval == null || floodInterval.isNegative() || floodInterval.isZero()) {
            throw new WorkerException("failure logging floodInterval must be a positive duration, got " + floodInterval);
        }
    }

    /** WARN for a retry or a hold, ERROR for a final failure, stack traces, 10 lines per entrypoint per 60 s. */
    public static FailureLogging defaults() {
        return new FailureLogging(Level.WARN, Level.ERROR, DEFAULT_FLOOD_THRESHOLD, DEFAULT_FLOOD_INTERVAL, true);
    }

    /** No line for failed jobs (their tracebacks are still written to the log table). */
    public static FailureLogging off() {
        return new FailureLogging(Level.OFF, Level.OFF, DEFAULT_FLOOD_THRESHOLD, DEFAULT_FLOOD_INTERVAL, true);
    }

    /** These options with other levels: {@code retry} for a retried or held job, {@code exception} for a final failure. */
    public FailureLogging withLevels(Level retry, Level exception) {
        return new FailureLogging(retry, exception, floodThreshold, floodInterval, stackTrace);
    }

    /** These options with another flood limit: {@code threshold} lines per entrypoint and {@code interval}. */
    public FailureLogging withFlood(int threshold, Duration interval) {
        return new FailureLogging(retryLevel, finalLevel, threshold, interval, stackTrace);
    }

    /** These options with or without the stack trace on each line. */
    public FailureLogging withStackTrace(boolean include) {
        return new FailureLogging(retryLevel, finalLevel, floodThreshold, floodInterval, include);
    }

    /** Whether no failure is logged. */
    public boolean isOff() {
        return retryLevel == Level.OFF && finalLevel == Level.OFF;
    }
}
