package org.pgqj.internal.sql;

import static org.pgqj.codegen.Tables.PGQUEUER;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Field;
import org.pgqj.codegen.tables.records.PgqueuerRecord;
import org.pgqj.core.Job;
import org.pgqj.core.JobStatus;

/**
 * Reads a queue row into a {@link Job}: straight from pgjdbc (the worker's claim) or from a generated
 * record (the admin queries). For the pgjdbc path the statement selects the queue table's columns in
 * the generated table's field order, so each column's index is its position there.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class JobRows {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ID = index(PGQUEUER.ID);
    private static final int PRIORITY = index(PGQUEUER.PRIORITY);
    private static final int QUEUE_MANAGER_ID = index(PGQUEUER.QUEUE_MANAGER_ID);
    private static final int CREATED = index(PGQUEUER.CREATED);
    private static final int UPDATED = index(PGQUEUER.UPDATED);
    private static final int HEARTBEAT = index(PGQUEUER.HEARTBEAT);
    private static final int EXECUTE_AFTER = index(PGQUEUER.EXECUTE_AFTER);
    private static final int STATUS = index(PGQUEUER.STATUS);
    private static final int ENTRYPOINT = index(PGQUEUER.ENTRYPOINT);
    private static final int DEDUPE_KEY = index(PGQUEUER.DEDUPE_KEY);
    private static final int PAYLOAD = index(PGQUEUER.PAYLOAD);
    private static final int HEADERS = index(PGQUEUER.HEADERS);
    private static final int ATTEMPTS = index(PGQUEUER.ATTEMPTS);
    private static final int SLOT = index(PGQUEUER.SLOT);

    private JobRows() {
    }

    private static int index(Field<?> field) {
        return PGQUEUER.indexOf(field) + 1;
    }

    /** The job of the result set's current row (all queue columns, in the generated order). */
    public static Job read(ResultSet rs) throws SQLException {
        byte[] payload = rs.getBytes(PAYLOAD);
        long slot = rs.getLong(SLOT);
        Optional<Long> slotValue = rs.wasNull() ? Optional.empty() : Optional.of(slot);
        return new Job(rs.getLong(ID), rs.getInt(PRIORITY), instant(rs.getObject(CREATED, OffsetDateTime.class)),
                instant(rs.getObject(UPDATED, OffsetDateTime.class)), instant(rs.getObject(HEARTBEAT, OffsetDateTime.class)),
                instant(rs.getObject(EXECUTE_AFTER, OffsetDateTime.class)), JobStatus.fromLabel(rs.getString(STATUS)),
                rs.getString(ENTRYPOINT), payload, payload != null, rs.getInt(ATTEMPTS),
                Optional.ofNullable(rs.getObject(QUEUE_MANAGER_ID, UUID.class)),
                Optional.ofNullable(rs.getString(DEDUPE_KEY)), headers(rs.getString(HEADERS)), slotValue);
    }

    /** The job of a generated record (all columns selected). */
    public static Job read(PgqueuerRecord r) {
        return new Job(r.getId(), r.getPriority(), instant(r.getCreated()), instant(r.getUpdated()),
                instant(r.getHeartbeat()), instant(r.getExecuteAfter()), Statuses.toJobStatus(r.getStatus()),
                r.getEntrypoint(), r.getPayload(), r.getPayload() != null, r.getAttempts(),
                Optional.ofNullable(r.getQueueManagerId()), Optional.ofNullable(r.getDedupeKey()),
                headers(r.getHeaders() == null ? null : r.getHeaders().data()), Optional.ofNullable(r.getSlot()));
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? Instant.EPOCH : t.toInstant();
    }

    /**
     * The {@code headers} column as a map: empty for SQL NULL or JSON {@code null} (what pgqueuer writes
     * when there are none); a value that is not a JSON object is kept raw under {@code "_raw"}.
     */
    public static Map<String, Object> headers(String json) {
        if (json == null || json.isBlank() || "null".equals(json.trim())) {
            return Map.of(); // pgqueuer writes JSON null when there are no headers
        }
        try {
            Map<String, Object> map = JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
            return map == null ? Map.of() : map;
        } catch (JsonProcessingException e) {
            // headers that are not an object (a Python producer could write any JSON) are kept raw
            return Map.of("_raw", json);
        }
    }
}
