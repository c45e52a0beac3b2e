package org.pgqj.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.pgqj.internal.notify.NotifyPayloads;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Reads and writes the JSON payloads of pgqueuer's NOTIFY channel, field for field as pgqueuer does. */
public final class NotifyEvents {

    private static final Logger LOG = LoggerFactory.getLogger(NotifyEvents.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private NotifyEvents() {
    }

    /**
     * The event in {@code payload}, or empty when it is not JSON, lacks a required field, or has a
     * type this library does not handle (each such payload is logged once and dropped, as pgqueuer does).
     */
    public static Optional<NotifyEvent> parse(String payload) {
        try {
            JsonNode node = JSON.readTree(payload);
            if (node == null || !node.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            String type = text(node, "type");
            String channel = text(node, "channel");
            Instant sentAt = instant(node, "sent_at");
            return switch (type) {
                case TableChangedEvent.TYPE -> Optional.of(new TableChangedEvent(channel, sentAt,
                        text(node, "operation"), text(node, "table")));
                case CancellationEvent.TYPE -> {
                    List<Long> ids = new ArrayList<>();
                    JsonNode array = node.get("ids");
                    if (array == null || !array.isArray()) {
                        throw new IllegalArgumentException("field 'ids' is missing or not an array");
                    }
                    array.forEach(id -> ids.add(id.asLong()));
                    yield Optional.of(new CancellationEvent(channel, sentAt, receivedAt(node), ids));
                }
                case HealthCheckEvent.TYPE -> Optional.of(new HealthCheckEvent(channel, sentAt, receivedAt(node),
                        UUID.fromString(text(node, "id"))));
                default -> {
                    LOG.error("Dropping NOTIFY payload of unknown type '{}': {}", type, payload);
                    yield Optional.empty();
                }
            };
        } catch (Exception e) {
            LOG.error("Dropping unparseable NOTIFY payload ({}): {}", e.getMessage(), payload);
            return Optional.empty();
        }
    }

    /**
     * The JSON pgqueuer sends for {@code event}, field for field as its models write it. One document, whatever
     * its size: a cancellation of many ids can exceed PostgreSQL's 8000-byte NOTIFY limit, so
     * {@code QueueAdmin.cancel} sends it split into several cancellations that each fit.
     */
    public static String toJson(NotifyEvent event) {
        return NotifyPayloads.encode(event);
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        return value.asText();
    }

    private static Instant instant(JsonNode node, String field) {
        String text = text(node, field);
        // pgqueuer requires an offset; PostgreSQL writes +00:00, pydantic writes Z
        return OffsetDateTime.parse(text).withOffsetSameInstant(ZoneOffset.UTC).toInstant();
    }

    private static Instant receivedAt(JsonNode node) {
        return node.hasNonNull("received_at") ? instant(node, "received_at") : Instant.now();
    }
}
