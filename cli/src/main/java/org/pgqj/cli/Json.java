package org.pgqj.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.function.Function;
import org.pgqj.admin.ActiveWorker;
import org.pgqj.admin.BacklogEntry;
import org.pgqj.admin.LogEntry;
import org.pgqj.admin.QueueSize;
import org.pgqj.admin.StaleJob;
import org.pgqj.admin.TableInfo;
import org.pgqj.admin.ThroughputTotal;
import org.pgqj.core.Job;
import org.pgqj.schedule.Schedule;

/**
 * The {@code --json} documents: one JSON array per command on stdout, with the field names of pgqueuer's
 * models (snake_case; timestamps ISO-8601 in UTC with microseconds at most, as pydantic prints them; absent
 * values {@code null}). The field lists are the documented contract (README, "Operator commands").
 */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {
    }

    static <T> void print(PrintWriter out, List<T> items, Function<T, ObjectNode> row) {
        ArrayNode array = MAPPER.createArrayNode();
        items.forEach(i -> array.add(row.apply(i)));
        out.println(array.toString());
        out.flush();
    }

    static String time(Instant t) {
        return t.truncatedTo(ChronoUnit.MICROS).toString();
    }

    private static ObjectNode node() {
        return MAPPER.createObjectNode();
    }

    /** The queue row's times, status and entrypoint, in pgqueuer's model order. */
    private static void row(ObjectNode n, Instant created, Instant updated, Instant heartbeat, Instant executeAfter,
                            String status, String entrypoint) {
        n.put("created", time(created));
        n.put("updated", time(updated));
        n.put("heartbeat", time(heartbeat));
        n.put("execute_after", time(executeAfter));
        n.put("status", status);
        n.put("entrypoint", entrypoint);
    }

    /** pgq failed --json: the job without its payload, plus payload_bytes (pgqueuer's Job has no dedupe_key). */
    static ObjectNode job(Job j) {
        ObjectNode n = node();
        n.put("id", j.id());
        n.put("priority", j.priority());
        row(n, j.created(), j.updated(), j.heartbeat(), j.executeAfter(), j.status().label(), j.entrypoint());
        n.put("attempts", j.attempts());
        n.put("queue_manager_id", j.queueManagerId().map(Object::toString).orElse(null));
        if (j.slot().isPresent()) {
            n.put("slot", j.slot().get());
        } else {
            n.putNull("slot");
        }
        if (j.headers().isEmpty()) {
            n.putNull("headers");
        } else {
            n.set("headers", MAPPER.valueToTree(j.headers()));
        }
        n.put("payload_bytes", j.hasPayload() ? j.payload().length : 0);
        return n;
    }

    static ObjectNode stale(StaleJob j) {
        ObjectNode n = node();
        n.put("id", j.id());
        n.put("priority", j.priority());
        n.put("queue_manager_id", j.queueManagerId().map(Object::toString).orElse(null));
        row(n, j.created(), j.updated(), j.heartbeat(), j.executeAfter(), j.status().label(), j.entrypoint());
        n.put("seconds_since_heartbeat", j.secondsSinceHeartbeat());
        return n;
    }

    static ObjectNode worker(ActiveWorker w) {
        ObjectNode n = node();
        n.put("queue_manager_id", w.queueManagerId().toString());
        n.put("active_jobs", w.activeJobs());
        n.put("oldest_heartbeat", time(w.oldestHeartbeat()));
        n.put("newest_heartbeat", time(w.newestHeartbeat()));
        ArrayNode eps = n.putArray("entrypoints");
        w.entrypoints().forEach(eps::add);
        return n;
    }

    static ObjectNode backlog(BacklogEntry b) {
        ObjectNode n = node();
        n.put("entrypoint", b.entrypoint());
        n.put("queued_count", b.queuedCount());
        n.put("oldest_created", time(b.oldestCreated()));
        n.put("oldest_age_seconds", b.oldestAgeSeconds());
        n.put("avg_age_seconds", b.avgAgeSeconds());
        return n;
    }

    static ObjectNode size(QueueSize s) {
        ObjectNode n = node();
        n.put("count", s.count());
        n.put("entrypoint", s.entrypoint());
        n.put("priority", s.priority());
        n.put("status", s.status().label());
        return n;
    }

    static ObjectNode throughput(ThroughputTotal t) {
        ObjectNode n = node();
        n.put("entrypoint", t.entrypoint());
        n.put("status", t.status().label());
        n.put("total_count", t.totalCount());
        return n;
    }

    static ObjectNode log(LogEntry e) {
        ObjectNode n = node();
        n.put("id", e.id());
        n.put("created", time(e.created()));
        n.put("job_id", e.jobId());
        n.put("status", e.status().label());
        n.put("priority", e.priority());
        n.put("entrypoint", e.entrypoint());
        n.set("traceback", e.traceback().map(Json::parse).orElse(null));
        n.put("aggregated", e.aggregated());
        return n;
    }

    static ObjectNode table(TableInfo t) {
        ObjectNode n = node();
        n.put("table_name", t.tableName());
        n.put("persistence", t.persistence());
        n.put("estimated_rows", t.estimatedRows());
        n.put("total_size", t.totalSize());
        n.put("total_bytes", t.totalBytes());
        return n;
    }

    /** pgqueuer's Schedule model. */
    static ObjectNode schedule(Schedule s) {
        ObjectNode n = node();
        n.put("id", s.id());
        n.put("expression", s.expression());
        n.put("heartbeat", time(s.heartbeat()));
        n.put("created", time(s.created()));
        n.put("updated", time(s.updated()));
        n.put("next_run", time(s.nextRun()));
        n.put("last_run", s.lastRun().map(Json::time).orElse(null));
        n.put("status", s.status().label());
        n.put("entrypoint", s.entrypoint());
        return n;
    }

    private static JsonNode parse(String json) {
        try {
            return MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return MAPPER.getNodeFactory().textNode(json); // not JSON after all: keep the text
        }
    }
}
