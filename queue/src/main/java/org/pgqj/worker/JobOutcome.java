package org.pgqj.worker;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How a handler call ended, as a {@link JobInterceptor} sees it: the status the worker records, the
 * error if the job failed or is retried, the delay of a retry or snooze, whether it timed out ({@link #timedOut()}) and why a
 * failure was not retried ({@link #notRetried()}). Made by the worker only.
 */
public final class JobOutcome {

    /** What the worker does with the job. */
    public enum Status {
        /** Done; logged {@code successful}. */
        SUCCESSFUL("successful"),
        /** Failed for good; logged {@code exception}. */
        EXCEPTION("exception"),
        /** Canceled while running; logged {@code canceled}. */
        CANCELED("canceled"),
        /** Put back in the queue for another attempt (a {@link RetryRequested} or the retry policy). */
        RETRIED("retried"),
        /** Failed and held in the queue table as {@code failed} ({@link EntrypointOptions.OnFailure#HOLD}). */
        HELD("held"),
        /** Put back in the queue without counting an attempt ({@link SnoozeRequested}); not a failure. */
        SNOOZED("snoozed");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        /** The lower-case name used in metrics tags: successful, exception, canceled, retried, held, snoozed. */
        public String label() {
            return label;
        }
    }

    private static final JobOutcome SUCCESSFUL = new JobOutcome(Status.SUCCESSFUL, null, null, null);
    private static final JobOutcome CANCELED = new JobOutcome(Status.CANCELED, null, null, null);

    private final Status status;
    private final Throwable error;
    private final Duration retryDelay;
    /** Why a failure was not retried (HELD, EXCEPTION), or the reason of a snooze (SNOOZED); else null. */
    private final String reason;

    private JobOutcome(Status status, Throwable error, Duration retryDelay, String reason) {
        this.status = status;
        this.error = error;
        this.retryDelay = retryDelay;
        this.reason = reason;
    }

    static JobOutcome successful() {
        return SUCCESSFUL;
    }

    static JobOutcome canceled() {
        return CANCELED;
    }

    static JobOutcome retried(Throwable cause, Duration delay) {
        return new JobOutcome(Status.RETRIED, Objects.requireNonNull(cause), Objects.requireNonNull(delay), null);
    }

    static JobOutcome snoozed(SnoozeRequested request) {
        return new JobOutcome(Status.SNOOZED, null, request.delay(), request.reason());
    }

    static JobOutcome failed(Throwable error, boolean held) {
        return new JobOutcome(held ? Status.HELD : Status.EXCEPTION, Objects.requireNonNull(error), null, null);
    }

    /** A final failure that was never retried, whatever attempts were left: {@code reason} says why. */
    static JobOutcome notRetried(Throwable error, boolean held, String reason) {
        return new JobOutcome(held ? Status.HELD : Status.EXCEPTION, Objects.requireNonNull(error), null,
                Objects.requireNonNull(reason));
    }

    /** The status. */
    public Status status() {
        return status;
    }

    /** What the handler threw (for EXCEPTION, HELD and RETRIED); empty otherwise. */
    public Optional<Throwable> error() {
        return Optional.ofNullable(error);
    }

    /** When RETRIED or SNOOZED: how long until the job is eligible again. */
    public Optional<Duration> retryDelay() {
        return Optional.ofNullable(retryDelay);
    }

    /**
     * Whether the job ran past its entrypoint's {@link EntrypointOptions#timeout()}: then {@link #error()} is a
     * {@link JobTimeoutException}, and the status is RETRIED, HELD or EXCEPTION as for any failure.
     */
    public boolean timedOut() {
        return error instanceof JobTimeoutException;
    }

    /**
     * When HELD or EXCEPTION although the retry policy might have had attempts left: why it was not retried, e.g.
     * {@code NonRetryableException}, {@code matches noRetryFor(IllegalArgumentException)},
     * {@code rejected by retryOn}, {@code the payload does not decode}; empty otherwise.
     */
    public Optional<String> notRetried() {
        return status == Status.SNOOZED ? Optional.empty() : Optional.ofNullable(reason);
    }

    /** When SNOOZED: the reason the handler gave ({@link SnoozeRequested#reason()}, possibly empty); else empty. */
    public Optional<String> snoozeReason() {
        return status == Status.SNOOZED ? Optional.of(reason) : Optional.empty();
    }

    @Override
    public String toString() {
        return "JobOutcome[" + status.label() + (error != null ? ", " + error : "")
                + (retryDelay != null ? (status == Status.SNOOZED ? ", snoozed for " : ", retry in ") + retryDelay : "")
                + (reason != null ? (status == Status.SNOOZED ? ", reason: " : ", not retried: ") + reason : "") + "]";
    }
}
