package org.pgqj.enqueue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.pgqj.core.Job;
import org.pgqj.payload.PayloadCodec;

/**
 * A job to enqueue: everything pgqueuer's {@code Queries.enqueue} accepts for one job. Immutable;
 * validated when built, so a bad value fails before anything is written.
 *
 * <pre>{@code
 * NewJob job = NewJob.builder("send_email")
 *         .payload("{\"to\":42}".getBytes(UTF_8))
 *         .priority(5)
 *         .delay(Duration.ofMinutes(10))
 *         .dedupeKey("email-42")
 *         .build();
 * NewJob typed = NewJob.of(new IndexArticle(42)); // entrypoint from @Entrypoint, JSON payload
 * }</pre>
 */
public final class NewJob {

    private static final PayloadCodec DEFAULT_CODEC = PayloadCodec.defaults();
    /** Plain Jackson, as {@code Job} reads the headers column: what one writes the other reads back equal. */
    private static final ObjectMapper HEADERS_JSON = new ObjectMapper();

    private final String entrypoint;
    private final byte[] payload;
    private final int priority;
    private final Duration delay;
    private final Instant executeAt;
    private final String dedupeKey;
    private final Map<String, Object> headers;
    private final String headersJson;

    private NewJob(Builder b, Map<String, Object> headers, String headersJson) {
        this.entrypoint = b.entrypoint;
        this.payload = b.payload;
        this.priority = b.priority;
        this.delay = b.delay;
        this.executeAt = b.executeAt;
        this.dedupeKey = b.dedupeKey;
        this.headers = headers;
        this.headersJson = headersJson;
    }

    /** A builder for a job of {@code entrypoint}. */
    public static Builder builder(String entrypoint) {
        return new Builder(entrypoint);
    }

    /** A job with default options: priority 0, no delay, no dedupe key, no headers. */
    public static NewJob of(String entrypoint, byte[] payload) {
        return builder(entrypoint).payload(payload).build();
    }

    /** A job of the record's {@code @Entrypoint} with its JSON payload from the default {@link PayloadCodec}. */
    public static NewJob of(Object record) {
        return typed(record, DEFAULT_CODEC).build();
    }

    /** A builder pre-filled with the record's entrypoint and JSON payload, to add options. */
    public static Builder typed(Object record, PayloadCodec codec) {
        Objects.requireNonNull(record, "record");
        Objects.requireNonNull(codec, "codec");
        return builder(PayloadCodec.entrypointOf(record.getClass())).payload(codec.encode(record));
    }

    /** The entrypoint (the name of the function that runs the job). */
    public String entrypoint() {
        return entrypoint;
    }

    /** The payload bytes (a copy), or empty when the job has none (SQL NULL, Python's {@code None}). */
    public Optional<byte[]> payload() {
        return payload == null ? Optional.empty() : Optional.of(payload.clone());
    }

    byte[] payloadOrNull() {
        return payload;
    }

    /** Higher runs first; default 0. */
    public int priority() {
        return priority;
    }

    /** Not run before {@code now() + delay}, by the database clock; zero unless set. */
    public Duration delay() {
        return delay;
    }

    /** Not run before this instant, when set instead of a delay (past instants mean "now"). */
    public Optional<Instant> executeAt() {
        return Optional.ofNullable(executeAt);
    }

    /** The dedupe key: unique among queued and picked jobs. */
    public Optional<String> dedupeKey() {
        return Optional.ofNullable(dedupeKey);
    }

    /**
     * Headers (e.g. tracing context under {@code "otel"}): any JSON values, as pgqueuer's
     * {@code dict[str, object]}; nested objects are maps, arrays lists, numbers Integer/Long/Double (what
     * {@link org.pgqj.core.Job#headers()} reads back). Empty means JSON {@code null}, as pgqueuer writes.
     */
    public Map<String, Object> headers() {
        return headers;
    }

    /** The headers column's JSON text ({@code null} for none), encoded once when built. */
    String headersJson() {
        return headersJson;
    }

    /** A builder with everything of this job, to change or add something (e.g. a header). */
    public Builder toBuilder() {
        Builder b = new Builder(entrypoint);
        b.payload = payload;
        b.priority = priority;
        b.delay = delay;
        b.executeAt = executeAt;
        b.dedupeKey = dedupeKey;
        b.headers.putAll(headers);
        return b;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NewJob j && entrypoint.equals(j.entrypoint) && Arrays.equals(payload, j.payload)
                && priority == j.priority && delay.equals(j.delay) && Objects.equals(executeAt, j.executeAt)
                && Objects.equals(dedupeKey, j.dedupeKey) && headers.equals(j.headers);
    }

    @Override
    public int hashCode() {
        return Objects.hash(entrypoint, Arrays.hashCode(payload), priority, delay, executeAt, dedupeKey, headers);
    }

    @Override
    public String toString() {
        return "NewJob[" + entrypoint + ", " + (payload == null ? "no payload" : payload.length + " bytes")
                + ", priority " + priority + (executeAt != null ? ", at " + executeAt : ", delay " + delay)
                + (dedupeKey != null ? ", dedupe " + dedupeKey : "") + "]";
    }

    /** Builds a {@link NewJob}; {@link #build()} validates. */
    public static final class Builder {
        private final String entrypoint;
        private byte[] payload;
        private int priority;
        private Duration delay = Duration.ZERO;
        private Instant executeAt;
        private String dedupeKey;
        private final Map<String, Object> headers = new LinkedHashMap<>();

        private Builder(String entrypoint) {
            this.entrypoint = entrypoint;
        }

        /** The payload bytes (copied); {@code null} means no payload. */
        public Builder payload(byte[] payload) {
            this.payload = payload == null ? null : payload.clone();
            return this;
        }

        /** Higher runs first. */
        public Builder priority(int priority) {
            this.priority = priority;
            return this;
        }

        /** Run no earlier than {@code now() + delay} (database clock); must not be negative. */
        public Builder delay(Duration delay) {
            this.delay = Objects.requireNonNull(delay, "delay must not be null; use Duration.ZERO");
            return this;
        }

        /**
         * Run no earlier than this instant; stored as {@code greatest(now(), executeAt)} by the database
         * clock, so an instant in the past means "now" and client clock skew does not matter.
         */
        public Builder executeAt(Instant executeAt) {
            this.executeAt = Objects.requireNonNull(executeAt, "executeAt");
            return this;
        }

        /** A key unique among queued and picked jobs (see {@link OnConflict}). */
        public Builder dedupeKey(String dedupeKey) {
            this.dedupeKey = Objects.requireNonNull(dedupeKey, "dedupeKey");
            return this;
        }

        /**
         * Adds (or replaces) one header: a string, number, boolean, {@code null} (JSON null), or a list or
         * map of such (a nested JSON array or object, e.g. {@code header("otel", Map.of("traceparent", tp))}),
         * or anything else plain Jackson writes. Checked by {@link #build()}.
         */
        public Builder header(String key, Object value) {
            headers.put(key, value);
            return this;
        }

        /**
         * This job's own timeout, replacing its entrypoint's ({@code EntrypointOptions.timeout}) for it alone: stored
         * as header {@link Job#TIMEOUT_HEADER} ({@code "pgqj-timeout": "PT30S"}), read by Java workers only (a
         * Python worker runs the job without it). A Python producer can write the same header, as text or as a
         * number of seconds.
         *
         * @throws IllegalArgumentException naming the value unless it is more than zero and at most
         *                                  {@link Job#MAX_TIMEOUT}
         */
        public Builder timeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero() || timeout.compareTo(Job.MAX_TIMEOUT) > 0) {
                throw new IllegalArgumentException("timeout of a job of entrypoint '" + entrypoint + "' must be more than "
                        + "zero and at most " + Job.MAX_TIMEOUT + ", got " + timeout);
            }
            return header(Job.TIMEOUT_HEADER, timeout.toString());
        }

        /** Adds (or replaces) these headers; see {@link #header(String, Object)}. */
        public Builder headers(Map<String, ?> headers) {
            Objects.requireNonNull(headers, "headers").forEach(this::header);
            return this;
        }

        /**
         * The job.
         *
         * @throws IllegalArgumentException naming the bad value: blank entrypoint, negative delay, both a
         *                                  delay and an instant, blank dedupe key, null header key, a header
         *                                  value Jackson cannot write as JSON
         */
        public NewJob build() {
            if (entrypoint == null || entrypoint.isBlank()) {
                throw new IllegalArgumentException("entrypoint must not be blank (got "
                        + (entrypoint == null ? "null" : "'" + entrypoint + "'")
                        + "); pass the name a worker registers, e.g. \"send_email\"");
            }
            if (delay.isNegative()) {
                throw new IllegalArgumentException("delay must not be negative (got " + delay + ") for entrypoint '"
                        + entrypoint + "'; use Duration.ZERO to run as soon as possible");
            }
            if (executeAt != null && !delay.isZero()) {
                throw new IllegalArgumentException("job of entrypoint '" + entrypoint
                        + "' has both a delay (" + delay + ") and executeAt (" + executeAt + "); set only one");
            }
            if (dedupeKey != null && dedupeKey.isBlank()) {
                throw new IllegalArgumentException("dedupeKey must not be blank for entrypoint '" + entrypoint
                        + "'; leave it unset for no deduplication");
            }
            if (headers.isEmpty()) {
                return new NewJob(this, Map.of(), null);
            }
            for (Map.Entry<String, Object> h : headers.entrySet()) {
                if (h.getKey() == null) {
                    throw new IllegalArgumentException("a header of entrypoint '" + entrypoint + "' has a null key (value "
                            + h.getValue() + "); headers are a JSON object, every key a string");
                }
                try {
                    HEADERS_JSON.writeValueAsString(h.getValue());
                } catch (JsonProcessingException | RuntimeException e) {
                    throw new IllegalArgumentException("header '" + h.getKey() + "' of entrypoint '" + entrypoint
                            + "' cannot be written as JSON (" + (h.getValue() == null ? "null" : h.getValue().getClass().getName())
                            + ": " + e.getMessage().lines().findFirst().orElse("") + "); use strings, numbers, booleans, "
                            + "null, lists and maps", e);
                }
            }
            try {
                String json = HEADERS_JSON.writeValueAsString(headers);
                // read back, so headers() holds what a worker's Job.headers() will see (and no caller-owned objects)
                Map<String, Object> copy = HEADERS_JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
                return new NewJob(this, Collections.unmodifiableMap(copy), json);
            } catch (JsonProcessingException e) {
                throw new IllegalArgumentException("headers of entrypoint '" + entrypoint + "' cannot be written as JSON: "
                        + e.getMessage().lines().findFirst().orElse(""), e);
            }
        }
    }
}
