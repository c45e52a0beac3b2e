package org.pgqj.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The NOTIFY vocabulary without a database: what pgqueuer's trigger and its pydantic models write is
 * read field for field, and what we write reads back ({@code NotifyPayloadsTest} holds it to what pgqueuer
 * 1.6.0's {@code CancellationEvent(...).model_dump_json()} writes under pydantic 2).
 */
class NotifyEventsTest {

    @Test
    void readsTheTriggersTableChangedEvent() {
        // json_build_object(...)::text of the queue table's trigger: PostgreSQL's timestamptz spelling
        NotifyEvent e = NotifyEvents.parse("{\"channel\" : \"ch_pgqueuer\", \"operation\" : \"insert\", "
                + "\"sent_at\" : \"2024-05-01T10:00:00.123456+00:00\", \"table\" : \"pgqueuer\", "
                + "\"type\" : \"table_changed_event\"}").orElseThrow();
        assertEquals(new TableChangedEvent("ch_pgqueuer", Instant.parse("2024-05-01T10:00:00.123456Z"), "insert",
                "pgqueuer"), e);
        assertTrue(((TableChangedEvent) e).addsWork());
        NotifyEvent other = NotifyEvents.parse("{\"channel\":\"c\",\"operation\":\"delete\",\"sent_at\":"
                + "\"2024-05-01T12:00:00+02:00\",\"table\":\"pgqueuer\",\"type\":\"table_changed_event\"}").orElseThrow();
        assertEquals(Instant.parse("2024-05-01T10:00:00Z"), other.sentAt(), "any offset is read as its instant");
    }

    @Test
    void readsPydanticsCancellationAndHealthCheck() {
        CancellationEvent c = (CancellationEvent) NotifyEvents.parse("{\"channel\":\"ch\",\"sent_at\":"
                + "\"2024-01-01T12:00:00.123456Z\",\"type\":\"cancellation_event\",\"received_at\":"
                + "\"2024-01-01T12:00:01Z\",\"ids\":[1,2]}").orElseThrow();
        assertEquals(List.of(1L, 2L), c.ids());
        assertEquals(Instant.parse("2024-01-01T12:00:01Z"), c.receivedAt());
        UUID id = UUID.randomUUID();
        HealthCheckEvent h = (HealthCheckEvent) NotifyEvents.parse("{\"channel\":\"ch\",\"sent_at\":"
                + "\"2024-01-01T12:00:00Z\",\"type\":\"health_check_event\",\"received_at\":"
                + "\"2024-01-01T12:00:00Z\",\"id\":\"" + id + "\"}").orElseThrow();
        assertEquals(id, h.id());
    }

    @Test
    void dropsWhatItCannotRead() {
        assertTrue(NotifyEvents.parse("not json").isEmpty());
        assertTrue(NotifyEvents.parse("[1]").isEmpty(), "not an object");
        assertTrue(NotifyEvents.parse("{\"channel\":\"c\",\"type\":\"table_changed_event\"}").isEmpty(), "no sent_at");
        assertTrue(NotifyEvents.parse("{\"channel\":\"c\",\"sent_at\":\"2024-01-01T12:00:00\",\"type\":"
                + "\"table_changed_event\",\"operation\":\"insert\",\"table\":\"t\"}").isEmpty(), "no offset");
        assertTrue(NotifyEvents.parse("{\"channel\":\"c\",\"sent_at\":\"2024-01-01T12:00:00Z\",\"type\":"
                + "\"cancellation_event\"}").isEmpty(), "no ids");
        assertTrue(NotifyEvents.parse("{\"channel\":\"c\",\"sent_at\":\"2024-01-01T12:00:00Z\",\"type\":"
                + "\"requests_per_second_event\"}").isEmpty(), "a type this library does not handle");
    }

    @Test
    void everyEventTypeRoundTrips() {
        Instant t = Instant.parse("2024-01-01T12:00:00.654321Z");
        List<NotifyEvent> events = List.of(
                new TableChangedEvent("ch", t, "update", "pgqueuer"),
                new CancellationEvent("ch", t, t.plusSeconds(1), List.of(5L, 6L)),
                new HealthCheckEvent("ch", t, t, UUID.randomUUID()));
        for (NotifyEvent e : events) {
            assertEquals(e, NotifyEvents.parse(NotifyEvents.toJson(e)).orElseThrow(), e.type());
        }
    }
}
