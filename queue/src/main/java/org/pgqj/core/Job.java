package org.pgqj.core;

import java.time.Instant;
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
