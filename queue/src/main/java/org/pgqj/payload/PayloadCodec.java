package org.pgqj.payload;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.util.Objects;

/**
 * Turns payload records into the JSON bytes pgqueuer stores (what a Python handler reads with
 * {@code json.loads(job.payload)}) and back. Thread-safe.
 */
public final class PayloadCodec {

    private final ObjectMapper mapper;

    private PayloadCodec(ObjectMapper mapper) {
        this.mapper = Objects.requireNonNull(mapper, "objectMapper");
    }

    /**
     * The default codec: java.time as ISO-8601 strings (what Python's {@code datetime.fromisoformat}
     * reads), Optional fields, unknown JSON fields ignored (a Python producer may add fields).
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
        return new ObjectMapper()
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
     * JSON bytes (UTF-8) of {@code payload}.
     *
     * @throws PayloadException naming the type when it cannot be serialised
     */
    public byte[] encode(Object payload) {
        Objects.requireNonNull(payload, "payload");
        try {
            return mapper.writeValueAsBytes(payload);
        } catch (JsonProcessingException e) {
            throw new PayloadException("Cannot encode payload of type " + payload.getClass().getName()
                    + " as JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * The value of {@code type} that {@code json} holds.
     *
     * @throws PayloadException naming the type and the JSON error when the bytes do not decode
     */
    public <T> T decode(byte[] json, Class<T> type) {
        Objects.requireNonNull(type, "type");
        if (json == null || json.length == 0) {
            throw new PayloadException("Cannot decode an empty payload as " + type.getName()
                    + "; the job was enqueued without a payload");
        }
        try {
            T value = mapper.readValue(json, type);
            if (value == null) {
                throw new PayloadException("Payload is JSON null; expected a " + type.getName());
            }
            return value;
        } catch (IOException e) {
            String message = e instanceof JsonProcessingException jpe ? jpe.getOriginalMessage() : e.getMessage();
            throw new PayloadException("Cannot decode payload as " + type.getName() + ": " + message, e);
        }
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
