package org.pgqj.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.jooq.JSONB;
import org.pgqj.core.Job;

/**
 * The traceback JSON pgqueuer stores in {@code pgqueuer_log.traceback} (CONTRACT §3): job_id,
 * timestamp, exception_type, exception_message, traceback, additional_context.
 */
final class Traceback {

    private static final ObjectMapper JSON = new ObjectMapper();

    private Traceback() {
    }

    static JSONB of(Job job, Throwable error, UUID workerId) {
        return jsonb(base(job, error, workerId));
    }

    /**
     * The document as jsonb accepts it. jsonb rejects the NUL character (U+0000) in any string, and a
     * rejected traceback would fail the whole completion write (pgqueuer 2.0 fixed the same loss): every NUL in a
     * message, trace or context value is stored as the six visible characters backslash, u, 0, 0, 0, 0 instead.
     */
    static JSONB jsonb(ObjectNode node) {
        withoutNul(node);
        return JSONB.valueOf(node.toString());
    }

    private static void withoutNul(ObjectNode node) {
        for (var field : node.properties()) {
            JsonNode value = field.getValue();
            if (value instanceof ObjectNode child) {
                withoutNul(child);
            } else if (value.isTextual() && value.textValue().indexOf('\u0000') >= 0) {
                node.put(field.getKey(), value.textValue().replace("\u0000", "\\u0000"));
            }
        }
    }

    static JSONB ofRetry(Job job, Throwable error, UUID workerId, Duration delay, String reason) {
        ObjectNode node = base(job, error, workerId);
        ObjectNode context = (ObjectNode) node.get("additional_context");
        context.put("attempt", job.attempts() + 1);
        context.put("retry_delay", pythonTimedelta(delay));
        context.put("reason", reason);
        return jsonb(node);
    }

    private static ObjectNode base(Job job, Throwable error, UUID workerId) {
        ObjectNode node = JSON.createObjectNode();
        node.put("job_id", job.id());
        node.put("timestamp", DateTimeFormatter.ISO_INSTANT.format(Instant.now().truncatedTo(ChronoUnit.MICROS)));
        node.put("exception_type", error.getClass().getSimpleName());
        node.put("exception_message", error.getMessage() == null ? "" : error.getMessage());
        StringWriter trace = new StringWriter();
        error.printStackTrace(new PrintWriter(trace));
        node.put("traceback", trace.toString());
        ObjectNode context = node.putObject("additional_context");
        context.put("entrypoint", job.entrypoint());
        context.put("queue_manager_id", workerId.toString());
        context.put("exception_class", error.getClass().getName());
        return node;
    }

    /** Python's {@code str(timedelta)}, e.g. {@code 0:00:02} or {@code 0:00:00.500000}. */
    static String pythonTimedelta(Duration d) {
        long days = d.toDays();
        long secs = d.minusDays(days).getSeconds();
        long micros = d.getNano() / 1_000;
        String hms = String.format("%d:%02d:%02d", secs / 3600, (secs % 3600) / 60, secs % 60);
        if (micros != 0) {
            hms += String.format(".%06d", micros);
        }
        return days == 0 ? hms : days + (days == 1 ? " day, " : " days, ") + hms;
    }
}
