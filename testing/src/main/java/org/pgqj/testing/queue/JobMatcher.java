package org.pgqj.testing.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.pgqj.core.Job;
import org.pgqj.payload.PayloadCodec;
import org.pgqj.payload.PayloadException;

/**
 * What an enqueued job must look like, for {@link EnqueuedJobs}: an entrypoint, and optionally its typed
 * payload (a predicate, or equality with a record), priority, headers, delay, due time and dedupe key. Immutable:
 * each method returns a narrower matcher.
 *
 * <pre>{@code
 * JobMatcher.payload(ShipOrder.class, ship -> ship.orderId() == 42).priority(5).delay(Duration.ofMinutes(10))
 * JobMatcher.payloadEqualTo(new ShipOrder(42)).header("tenant", "acme")
 * JobMatcher.entrypoint("reindex")
 * }</pre>
 */
public final class JobMatcher {

    /** A test on the decoded payload, with how it reads in a failure message. */
    private record PayloadTest(Class<?> type, Predicate<Object> test, String description) {
    }

    private final String entrypoint;
    private final Optional<PayloadTest> payload;
    private final Optional<Integer> priority;
    private final Map<String, Object> headers;
    private final Optional<Duration> delay;
    private final Optional<Instant> executeAt;
    private final Optional<String> dedupeKey;

    private JobMatcher(String entrypoint, Optional<PayloadTest> payload, Optional<Integer> priority,
                       Map<String, Object> headers, Optional<Duration> delay, Optional<Instant> executeAt,
                       Optional<String> dedupeKey) {
        this.entrypoint = entrypoint;
        this.payload = payload;
        this.priority = priority;
        this.headers = headers;
        this.delay = delay;
        this.executeAt = executeAt;
        this.dedupeKey = dedupeKey;
    }

    /** Any job of {@code entrypoint}. */
    public static JobMatcher entrypoint(String entrypoint) {
        if (entrypoint == null || entrypoint.isBlank()) {
            throw new IllegalArgumentException("entrypoint must not be blank, got '" + entrypoint + "'");
        }
        return new JobMatcher(entrypoint, Optional.empty(), Optional.empty(), Map.of(), Optional.empty(),
                Optional.empty(), Optional.empty());
    }

    /** Any job of the entrypoint of {@code type} (its {@code @Entrypoint}). */
    public static JobMatcher of(Class<?> type) {
        return entrypoint(entrypointOf(type));
    }

    /** A job of {@code type}'s entrypoint whose payload, decoded as {@code type}, satisfies {@code test}. */
    public static <T> JobMatcher payload(Class<T> type, Predicate<? super T> test) {
        Objects.requireNonNull(test, "test");
        return of(type).withPayload(new PayloadTest(type, p -> test.test(type.cast(p)),
                type.getSimpleName() + " matching the predicate"));
    }

    /** A job of {@code expected}'s entrypoint whose payload decodes to a value equal to {@code expected}. */
    public static JobMatcher payloadEqualTo(Object expected) {
        Objects.requireNonNull(expected, "expected");
        return of(expected.getClass()).withPayload(new PayloadTest(expected.getClass(), expected::equals,
                String.valueOf(expected)));
    }

    /** Also with this priority. */
    public JobMatcher priority(int expected) {
        return new JobMatcher(entrypoint, payload, Optional.of(expected), headers, delay, executeAt, dedupeKey);
    }

    /** Also with this header (compared as JSON: {@code 7} and {@code 7L} are the same header value). */
    public JobMatcher header(String key, Object value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        Map<String, Object> more = new LinkedHashMap<>(headers);
        more.put(key, value);
        return new JobMatcher(entrypoint, payload, priority, Collections.unmodifiableMap(more), delay, executeAt, dedupeKey);
    }

    /** Also due {@code expected} after it was enqueued ({@code execute_after - created}, exact to the microsecond). */
    public JobMatcher delay(Duration expected) {
        Objects.requireNonNull(expected, "expected");
        return new JobMatcher(entrypoint, payload, priority, headers, Optional.of(expected), executeAt, dedupeKey);
    }

    /** Also due at {@code expected} ({@code execute_after}, to the microsecond). */
    public JobMatcher executeAt(Instant expected) {
        Objects.requireNonNull(expected, "expected");
        return new JobMatcher(entrypoint, payload, priority, headers, delay, Optional.of(expected), dedupeKey);
    }

    /** Also with this dedupe key. */
    public JobMatcher dedupeKey(String expected) {
        Objects.requireNonNull(expected, "expected");
        return new JobMatcher(entrypoint, payload, priority, headers, delay, executeAt, Optional.of(expected));
    }

    /** The entrypoint matched. */
    public String entrypoint() {
        return entrypoint;
    }

    private JobMatcher withPayload(PayloadTest test) {
        return new JobMatcher(entrypoint, Optional.of(test), priority, headers, delay, executeAt, dedupeKey);
    }

    /** Whether {@code job} matches, decoding its payload with {@code codec}. */
    public boolean matches(Job job, PayloadCodec codec) {
        return mismatches(job, codec).isEmpty();
    }

    /** What about {@code job} differs from this matcher (empty: it matches), each as "field: actual". */
    List<String> mismatches(Job job, PayloadCodec codec) {
        List<String> out = new ArrayList<>();
        if (!job.entrypoint().equals(entrypoint)) {
            out.add("entrypoint " + job.entrypoint());
            return out;
        }
        payload.ifPresent(p -> {
            try {
                Object decoded = codec.decode(job.payload(), p.type());
                if (!p.test().test(decoded)) {
                    out.add("payload " + decoded);
                }
            } catch (PayloadException e) {
                out.add("payload not a " + p.type().getSimpleName() + ": " + e.getMessage());
            }
        });
        priority.filter(p -> p != job.priority()).ifPresent(p -> out.add("priority " + job.priority()));
        headers.forEach((key, value) -> {
            if (!job.headers().containsKey(key)) {
                out.add("no header " + key);
            } else if (!json(codec, value).equals(json(codec, job.headers().get(key)))) {
                out.add("header " + key + "=" + json(codec, job.headers().get(key)));
            }
        });
        Duration actualDelay = Duration.between(job.created(), job.executeAfter());
        delay.filter(d -> !micros(d).equals(micros(actualDelay))).ifPresent(d -> out.add("delay " + actualDelay));
        executeAt.filter(at -> !micros(at).equals(micros(job.executeAfter())))
                .ifPresent(at -> out.add("execute_after " + job.executeAfter()));
        dedupeKey.filter(k -> !job.dedupeKey().equals(Optional.of(k)))
                .ifPresent(k -> out.add("dedupe key " + job.dedupeKey().orElse("(none)")));
        return out;
    }

    /** PostgreSQL keeps microseconds. */
    private static Duration micros(Duration d) {
        return Duration.ofNanos(d.toNanos() / 1000 * 1000);
    }

    private static Instant micros(Instant i) {
        return i.minusNanos(i.getNano() % 1000);
    }

    private static String json(PayloadCodec codec, Object value) {
        try {
            return codec.objectMapper().writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Header value " + value + " is not JSON-serialisable: " + e.getMessage(), e);
        }
    }

    private static String entrypointOf(Class<?> type) {
        try {
            return PayloadCodec.entrypointOf(type);
        } catch (PayloadException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(entrypoint);
        payload.ifPresent(p -> s.append(", payload ").append(p.description()));
        priority.ifPresent(p -> s.append(", priority ").append(p));
        headers.forEach((k, v) -> s.append(", header ").append(k).append('=').append(v));
        delay.ifPresent(d -> s.append(", delay ").append(d));
        executeAt.ifPresent(at -> s.append(", execute_after ").append(at));
        dedupeKey.ifPresent(k -> s.append(", dedupe key ").append(k));
        return s.toString();
    }
}
