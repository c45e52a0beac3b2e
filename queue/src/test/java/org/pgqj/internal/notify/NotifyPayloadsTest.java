package org.pgqj.internal.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.pgqj.notify.CancellationEvent;
import org.pgqj.notify.HealthCheckEvent;
import org.pgqj.notify.NotifyEvent;
import org.pgqj.notify.NotifyEvents;
import org.pgqj.notify.TableChangedEvent;

/** Encoding and splitting without a database; {@code BulkCancelTest} sends the split through PostgreSQL. */
class NotifyPayloadsTest {

    private static final Instant SENT = Instant.parse("2024-01-01T12:00:00.123456Z");

    @Test
    void writesWhatPydanticWrites() {
        assertEquals("{\"channel\":\"ch\",\"sent_at\":\"2024-01-01T12:00:00.123456Z\",\"type\":\"cancellation_event\","
                        + "\"received_at\":\"2024-01-01T12:00:00Z\",\"ids\":[1]}",
                NotifyPayloads.encode(new CancellationEvent("ch", SENT, Instant.parse("2024-01-01T12:00:00Z"), List.of(1L))));
        // pydantic keeps six digits once there are microseconds, and Python has nothing finer
        assertEquals("2024-01-01T12:00:00.120000Z", NotifyPayloads.format(Instant.parse("2024-01-01T12:00:00.12Z")));
        assertEquals("2024-01-01T12:00:00.000001Z", NotifyPayloads.format(Instant.parse("2024-01-01T12:00:00.000001999Z")));
        assertEquals("2024-01-01T12:00:00Z", NotifyPayloads.format(Instant.parse("2024-01-01T12:00:00.000000999Z")));
    }

    @Test
    void eventsWithoutAListAreOnePayload() {
        List<NotifyEvent> events = List.of(new TableChangedEvent("ch", SENT, "update", "pgqueuer"),
                new HealthCheckEvent("ch", SENT, SENT, UUID.randomUUID()),
                new CancellationEvent("ch", SENT, SENT, List.of()),
                new CancellationEvent("ch", SENT, SENT, List.of(1L, 2L)));
        for (NotifyEvent e : events) {
            assertEquals(List.of(NotifyPayloads.encode(e)), NotifyPayloads.payloads(e), e.toString());
        }
        assertTrue(NotifyPayloads.encode(events.get(2)).endsWith("\"ids\":[]}"), "no ids is still a list");
    }

    @Test
    void tenThousandIdsSplitIntoFullPayloadsThatEachParseAlone() {
        // ids of every width, so the byte count per id varies (1 to 19 digits, and negatives)
        List<Long> ids = new ArrayList<>(LongStream.rangeClosed(1, 9_000).boxed().toList());
        LongStream.range(0, 990).forEach(i -> ids.add(Long.MAX_VALUE - i * 7_919));
        ids.addAll(List.of(-1L, Long.MIN_VALUE, 0L, 42L, 999_999_999_999L, 10L, 100L, 1_000L, 10_000L, 100_000L));
        String channel = "a_prefix_of_fifty_bytes_or_so_01234567890123456_ch_pgqueuer"; // near PostgreSQL's 63
        CancellationEvent event = new CancellationEvent(channel, SENT, SENT.plusSeconds(1), ids);

        List<String> payloads = NotifyPayloads.payloads(event);

        assertTrue(payloads.size() > 1, "10,000 ids do not fit one payload: " + payloads.size());
        List<Long> carried = new ArrayList<>();
        for (int i = 0; i < payloads.size(); i++) {
            String p = payloads.get(i);
            int bytes = p.getBytes(StandardCharsets.UTF_8).length;
            assertTrue(bytes <= NotifyPayloads.MAX_PAYLOAD_BYTES, "payload " + i + " has " + bytes + " bytes");
            CancellationEvent part = (CancellationEvent) NotifyEvents.parse(p).orElseThrow();
            assertEquals(channel, part.channel());
            assertEquals(event.sentAt(), part.sentAt());
            assertEquals(event.receivedAt(), part.receivedAt());
            carried.addAll(part.ids());
            if (i < payloads.size() - 1) {
                // full: the next payload's first id would not have fitted (its digits and a comma)
                long next = ((CancellationEvent) NotifyEvents.parse(payloads.get(i + 1)).orElseThrow()).ids().getFirst();
                assertTrue(bytes + Long.toString(next).length() + 1 > NotifyPayloads.MAX_PAYLOAD_BYTES,
                        "payload " + i + " (" + bytes + " bytes) had room for " + next);
            }
        }
        assertEquals(ids, carried, "every id once, in order");
    }

    @Test
    void aPayloadThatCannotFitIsRefusedNamingItsSize() {
        String channel = "c".repeat(8_000); // no real channel is this long; only the check can be reached so
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NotifyPayloads.payloads(new CancellationEvent(channel, SENT, SENT, List.of(1L))));
        assertTrue(e.getMessage().contains("exceeds PostgreSQL's limit of 7999"), e.getMessage());
    }
}
