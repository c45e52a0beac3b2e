package org.pgqj.payload;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.stream.Collectors;

/**
 * Turns payload records into the JSON bytes pgqueuer stores (what a Python handler reads with
 * {@code json.loads(job.payload)}) and back, checking both ways against the record's
 * {@link PayloadContract}, whose JSON Schema the other language validates against. Thread-safe.
 */
public final class PayloadCodec {

    private final ObjectMapper mapper;
    private final ConcurrentMap<Class<?>, PayloadContract> contracts = new ConcurrentHashMap<>();

    private PayloadCodec(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "objectMapper");
    }

    /**
     * The default codec: java.time as ISO-8601 strings (what Python's {@code datetime.fromisoformat}
     * reads), {@code BigDecimal} as a numeric string (as pydantic writes {@code Decimal}: a JSON number would
     * reach Python as a float and lose digits), Optional fields, unknown JSON fields ignored (a Python producer
     * may add fields).
     */
    public static PayloadCodec defaults() {
        return new PayloadCodec(defaultObjectMapper());
    }

    /** A codec over the caller's mapper, used as is. */
    public static PayloadCodec using(ObjectMapper mapper) {
        return new PayloadCodec(mapper);
    }

    /** The mapper {@link #defaults()} uses, to start a customised one from. */
    public static ObjectMapper defaultObjectMapper() {
        ObjectMapper mapper = new ObjectMapper();
        mapper.configOverride(BigDecimal.class).setFormat(JsonFormat.Value.forShape(JsonFormat.Shape.STRING));
        return mapper
                .registerModule(new JavaTimeModule())
                .registerModule(new Jdk8Module())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }

    /** The mapper in use. */
    public ObjectMapper objectMapper() {
        return mapper;
    }

    /**
     * The contract of {@code type} under this codec's mapper: its JSON Schema, and the check that
     * {@link #encode} and {@link #decode} run. Built once per type.
     */
    public PayloadContract contract(Class<?> type) {
        Objects.requireNonNull(type, "type");
        return contracts.computeIfAbsent(type, t -> PayloadContract.of(t, mapper));
    }

    /**
     * JSON bytes (UTF-8) of {@code payload}, checked against its type's {@link #contract contract} first, so a
     * Java producer cannot enqueue what a consumer (of either language) would reject.
     *
     * @throws PayloadException naming the type when it cannot be serialised, or every field that breaks
     *                          the contract (e.g. a {@code null} in a component that is neither
     *                          {@code Optional} nor {@code @Nullable})
     */
    public byte[] encode(Object payload) {
        Objects.requireNonNull(payload, "payload");
        byte[] json;
        try {
            json = mapper.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new PayloadException("Cannot encode payload of type " + payload.getClass().getName()
                    + " as JSON: " + e.getOriginalMessage(), e);
        }
        List<ContractViolation> violations = contract(payload.getClass()).validate(json);
        if (!violations.isEmpty()) {
            throw new PayloadException("Cannot encode " + named(payload.getClass()) + ": the value breaks its own "
                    + "contract: " + join(violations) + nullHint(violations), violations);
        }
        return json;
    }

    /**
     * The value of {@code type} that {@code json} holds, after checking the JSON against the type's
     * {@link #contract contract}: a payload another producer wrote with a renamed field, a missing one or a
     * value of the wrong kind fails with every such field named, instead of decoding into defaults.
     *
     * @throws PayloadException naming the type and each field that breaks the contract
     *                          ({@link PayloadException#violations()}), or the JSON error
     */
    public <T> T decode(byte[] json, Class<T> type) {
        Objects.requireNonNull(type, "type");
        if (json == null || json.length == 0) {
            throw new PayloadException("Cannot decode an empty payload as " + type.getName()
                    + "; the job was enqueued without a payload");
        }
        JsonNode tree;
        try {
            tree = mapper.readTree(json);
        } catch (IOException e) {
            String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw new PayloadException("Cannot decode payload as " + type.getName() + ": not JSON: " + message, e);
        }
        if (tree == null || tree.isNull() || tree.isMissingNode()) {
            throw new PayloadException("Payload is JSON null; expected a " + type.getName());
        }
        List<ContractViolation> violations = contract(type).validate(tree);
        if (!violations.isEmpty()) {
            throw new PayloadException("Payload does not match " + named(type) + ": " + join(violations), violations);
        }
        try {
            return mapper.readValue(json, type); // from the bytes: exactly what the mapper reads (decimals, binary)
        } catch (JsonMappingException e) {
            // the contract holds, yet the value does not bind (a date such as 2026-02-30): name the field
            throw new PayloadException("Payload does not match " + named(type) + ": " + path(e) + ": "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new PayloadException("Cannot decode payload as " + type.getName() + ": " + e.getMessage(), e);
        }
    }

    /** {@code com.example.IndexArticle (entrypoint index_article)}. */
    private static String named(Class<?> type) {
        Entrypoint e = type.getAnnotation(Entrypoint.class);
        return type.getName() + (e == null ? "" : " (entrypoint '" + e.value() + "')");
    }

    private static String join(List<ContractViolation> violations) {
        return violations.stream().map(ContractViolation::toString).collect(Collectors.joining("; "));
    }

    private static String nullHint(List<ContractViolation> violations) {
        return violations.stream().anyMatch(v -> v.problem().endsWith("got null"))
                ? " (a component that may be null must be Optional or annotated @Nullable)" : "";
    }

    /** Jackson's location of a binding error as a JSONPath ({@code $.items[2].sku}). */
    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder("$");
        for (JsonMappingException.Reference r : e.getPath()) {
            if (r.getFieldName() != null) {
                path.replace(0, path.length(), ContractShape.member(path.toString(), r.getFieldName()));
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.toString();
    }

    /**
     * The entrypoint named by {@link Entrypoint} on {@code type}.
     *
     * @throws PayloadException when the type has no {@code @Entrypoint}
     */
    public static String entrypointOf(Class<?> type) {
        Entrypoint annotation = type.getAnnotation(Entrypoint.class);
        if (annotation == null || annotation.value().isBlank()) {
            throw new PayloadException(type.getName() + " has no @Entrypoint(\"name\"); annotate the record "
                    + "or pass the entrypoint name explicitly");
        }
        return annotation.value();
    }
}
