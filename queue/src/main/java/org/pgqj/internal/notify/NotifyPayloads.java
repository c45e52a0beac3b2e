package org.pgqj.internal.notify;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.unnest;
import static org.jooq.impl.DSL.val;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.impl.SQLDataType;
import org.pgqj.notify.CancellationEvent;
import org.pgqj.notify.HealthCheckEvent;
import org.pgqj.notify.NotifyEvent;
import org.pgqj.notify.TableChangedEvent;

/**
 * The one home of NOTIFY payload encoding: the JSON pgqueuer's models write for each event, and the split of an
 * event that carries a list (a {@code cancellation_event}'s ids, the only one in pgqueuer's models) into as many
 * payloads as PostgreSQL's size limit needs, each a complete event that pgqueuer's listener parses on its own.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class NotifyPayloads {

    /**
     * The longest payload PostgreSQL accepts, in bytes: {@code NOTIFY} refuses one of 8000 bytes or more
     * ({@code payload string too long}) on a server built with the default 8 kB block size.
     */
    public static final int MAX_PAYLOAD_BYTES = 7999;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter WITH_MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter WHOLE_SECONDS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private NotifyPayloads() {
    }

    /**
     * The JSON pgqueuer sends for {@code event}, keys in its models' field order (channel, sent_at, type, then
     * the event's own: operation and table; received_at and ids; received_at and id), every instant as pydantic
     * writes an aware UTC datetime ({@link #format}). One document, whatever its size: {@link #payloads} is what
     * may be sent.
     */
    public static String encode(NotifyEvent event) {
        ObjectNode node = JSON.createObjectNode();
        node.put("channel", event.channel());
        node.put("sent_at", format(event.sentAt()));
        node.put("type", event.type());
        switch (event) {
            case TableChangedEvent t -> {
                node.put("operation", t.operation());
                node.put("table", t.table());
            }
            case CancellationEvent c -> {
                node.put("received_at", format(c.receivedAt()));
                c.ids().forEach(node.putArray("ids")::add);
            }
            case HealthCheckEvent h -> {
                node.put("received_at", format(h.receivedAt()));
                node.put("id", h.id().toString());
            }
        }
        return node.toString();
    }

    /**
     * The payloads that carry {@code event}, each at most {@link #MAX_PAYLOAD_BYTES} bytes: one for most events;
     * for a cancellation, consecutive runs of its ids, each run a cancellation with the same channel and times
     * (an empty id list stays one event with no ids, as pgqueuer would send it).
     *
     * @throws IllegalArgumentException when even the event without its list does not fit (a channel name cannot
     *                                  make it so: PostgreSQL cuts identifiers at 63 bytes)
     */
    public static List<String> payloads(NotifyEvent event) {
        if (!(event instanceof CancellationEvent c) || c.ids().isEmpty()) {
            return List.of(fitting(encode(event)));
        }
        // Jackson writes the array compactly: each further id adds its digits and one comma, nothing else.
        int empty = bytes(fitting(encode(new CancellationEvent(c.channel(), c.sentAt(), c.receivedAt(), List.of()))));
        List<String> payloads = new ArrayList<>();
        List<Long> run = new ArrayList<>();
        int size = empty;
        for (Long id : c.ids()) {
            int cost = Long.toString(id).length() + (run.isEmpty() ? 0 : 1);
            if (size + cost > MAX_PAYLOAD_BYTES) {
                payloads.add(fitting(encode(new CancellationEvent(c.channel(), c.sentAt(), c.receivedAt(), run))));
                run = new ArrayList<>();
                size = empty;
                cost = Long.toString(id).length();
            }
            run.add(id);
            size += cost;
        }
        payloads.add(fitting(encode(new CancellationEvent(c.channel(), c.sentAt(), c.receivedAt(), run))));
        return payloads;
    }

    /**
     * Sends {@code event} on its channel in the transaction of {@code dsl} (delivered at commit), as
     * {@link #payloads} splits it: one {@code pg_notify} per payload, all in one statement. PostgreSQL folds
     * identical payloads of one transaction into one notification; split payloads never are identical.
     */
    public static void send(DSLContext dsl, NotifyEvent event) {
        List<String> payloads = payloads(event);
        if (payloads.size() == 1) { // nearly every event (each retry sends one): the plain statement
            dsl.select(function("pg_notify", Object.class, val(event.channel()), val(payloads.getFirst()))).fetch();
            return;
        }
        var each = unnest(val(payloads.toArray(String[]::new), SQLDataType.CLOB.array())).as("pgqj_payloads", "payload");
        dsl.select(function("pg_notify", Object.class, val(event.channel()),
                        field(name("pgqj_payloads", "payload"), String.class)))
                .from(each)
                .fetch();
    }

    /**
     * An instant as pydantic serialises an aware UTC datetime: ISO-8601 with {@code Z}, microseconds (six
     * digits) when not zero, none when zero ({@code 2024-01-01T12:00:00.123456Z}, {@code 2024-01-01T12:00:00Z}).
     * Python's datetimes stop at microseconds, so finer digits are cut.
     */
    public static String format(Instant instant) {
        Instant micros = instant.truncatedTo(ChronoUnit.MICROS);
        return (micros.getNano() == 0 ? WHOLE_SECONDS : WITH_MICROS).format(micros);
    }

    /** Counted in UTF-8, the usual server encoding; all but the channel name is ASCII in every encoding. */
    private static int bytes(String payload) {
        return payload.getBytes(StandardCharsets.UTF_8).length;
    }

    private static String fitting(String payload) {
        if (bytes(payload) > MAX_PAYLOAD_BYTES) {
            throw new IllegalArgumentException("A NOTIFY payload of " + bytes(payload) + " bytes exceeds PostgreSQL's limit of "
                    + MAX_PAYLOAD_BYTES + ": " + payload.substring(0, Math.min(200, payload.length())) + "...");
        }
        return payload;
    }
}
