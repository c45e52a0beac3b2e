package org.pgqj.admin;

import java.time.Instant;
import java.util.Objects;

/**
 * The failure that held a job: its newest {@code failed} log row, as {@link QueueInspection#lastFailures} reads it.
 *
 * @param jobId            the job
 * @param exceptionType    {@code exception_type} of the row's traceback ({@code ""} without one)
 * @param exceptionMessage {@code exception_message} of the row's traceback ({@code ""} without one)
 * @param at               when the row was written
 */
public record JobFailure(long jobId, String exceptionType, String exceptionMessage, Instant at) {
    /** Validates. */
    public JobFailure {
        Objects.requireNonNull(exceptionType, "exceptionType");
        Objects.requireNonNull(exceptionMessage, "exceptionMessage");
        Objects.requireNonNull(at, "at");
    }
}
