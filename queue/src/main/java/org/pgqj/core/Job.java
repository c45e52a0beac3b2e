package org.pgqj.core;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * One row of the queue table, as a worker claimed it (or as an admin query read it). Immutable.
 *
 * <p>Tests build one in a line: {@code Job.of("send_email", "{\"to\":1}".getBytes(UTF_8))}.
 *
 * @param id             the job id
 * @param priority       higher runs first
 * @param created        when it was enqueued
 * @param updated        last state change
 * @param heartbeat      last heartbeat of the worker running it
 * @param executeAfter   not run before this instant
 * @param status         current state
 * @param entrypoint     the name of the function that runs it
 * @param payload        the payload bytes, empty when pgqueuer stored NULL (see {@link #hasPayload()})
 * @param hasPayload     false when the payload column was NULL
 * @param attempts       retries so far (0 on the first run)
 * @param queueManagerId the worker (queue manager) that holds it, if any
 * @param dedupeKey      the dedupe key, if any
 * @param headers        the headers object (e.g. tracing context); empty when none
 * @param slot           the concurrency slot it holds, if its entrypoint is limited
 */
public record Job(long id, int priority, Instant created, Instant updated, Instant heartbeat, Instant executeAfter,
                  JobStatus status, String entrypoint, byte[] payload, boolean hasPayload, int attempts,
                  Optional<UUID> queueManagerId, Optional<String> dedupeKey, Map<String, Object> headers,
                  Optional<Long> slot) {

    /**
     * The header of a job's own timeout, read by Java workers only (a Python worker ignores it): ISO-8601 duration
     * text such as {@code "PT30S"} (what {@code NewJob.Builder.timeout} writes) or a JSON number of seconds. It
     * replaces the entrypoint's timeout for that job; see {@link #headerTimeout()}.
     */
    public static final String TIMEOUT_HEADER = "pgqj-timeout";
    /** The longest timeout a {@link #TIMEOUT_HEADER} may give: a century is no timeout, and longer ones overflow. */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(36_500);

    /** Validates and copies. */
    public Job {
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(updated, "updated");
        Objects.requireNonNull(heartbeat, "heartbeat");
        Objects.requireNonNull(executeAfter, "executeAfter");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(entrypoint, "entrypoint");
        payload = payload == null ? new byte[0] : payload.clone();
        Objects.requireNonNull(queueManagerId, "queueManagerId");
        Objects.requireNonNull(dedupeKey, "dedupeKey");
        headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
        Objects.requireNonNull(slot, "slot");
    }

    /**
     * This job's own timeout from its {@link #TIMEOUT_HEADER} header: empty when the header is absent (or JSON
     * null), and also when its value is no timeout (not a positive ISO-8601 duration or number of seconds up to
     * {@link #MAX_TIMEOUT}); a worker runs such a job with its entrypoint's timeout and logs a WARN naming the value.
     */
    public Optional<Duration> headerTimeout() {
        Object value = headers.get(TIMEOUT_HEADER);
        Duration d;
        try {
            if (value instanceof String text) {
                d = Duration.parse(text.strip());
            } else if (value instanceof Number seconds && Double.isFinite(seconds.doubleValue())
                    && Math.abs(seconds.doubleValue()) <= MAX_TIMEOUT.toSeconds()) {
                d = Duration.ofNanos(Math.round(seconds.doubleValue() * 1e9));
            } else {
                return Optional.empty();
            }
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
        return d.isNegative() || d.isZero() || d.compareTo(MAX_TIMEOUT) > 0 ? Optional.empty() : Optional.of(d);
    }

    /** The payload bytes (a copy). */
    @Override
    public byte[] payload() {
        return payload.clone();
    }

    /** A queued job with this entrypoint and payload and neutral other fields, for handler unit tests. */
    public static Job of(String entrypoint, byte[] payload) {
        Instant now = Instant.now();
        return new Job(1, 0, now, now, now, now, JobStatus.PICKED, entrypoint, payload, payload != null, 0,
                Optional.empty(), Optional.empty(), Map.of(), Optional.empty());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Job j && id == j.id && priority == j.priority && attempts == j.attempts
                && hasPayload == j.hasPayload && created.equals(j.created) && updated.equals(j.updated)
                && heartbeat.equals(j.heartbeat) && executeAfter.equals(j.executeAfter) && status == j.status
                && entrypoint.equals(j.entrypoint) && Arrays.equals(payload, j.payload)
                && queueManagerId.equals(j.queueManagerId) && dedupeKey.equals(j.dedupeKey)
                && headers.equals(j.headers) && slot.equals(j.slot);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, entrypoint, status, Arrays.hashCode(payload));
    }

    @Override
    public String toString() {
        return "Job[id=" + id + ", entrypoint=" + entrypoint + ", status=" + status.label() + ", priority=" + priority
                + ", attempts=" + attempts + ", payload=" + payload.length + " bytes]";
    }
}
