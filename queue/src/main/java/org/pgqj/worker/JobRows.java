package org.pgqj.worker;

import static org.pgqj.codegen.Tables.PGQUEUER;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.Optional;
import java.util.UUID;
import org.jooq.Field;
import org.pgqj.core.Job;
import org.pgqj.core.JobStatus;

/**
 * Reads a claimed queue row straight from pgjdbc into a {@link Job}. The claim selects the queue
 * table's columns in the generated table's field order, so each column's index is its position there.
 */
final class JobRows {

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

    /** The job of the current row. */
    static Job read(ResultSet rs) throws SQLException {
        byte[] payload = rs.getBytes(PAYLOAD);
        long slot = rs.getLong(SLOT);
        Optional<Long> slotValue = rs.wasNull() ? Optional.empty() : Optional.of(slot);
        return new Job(rs.getLong(ID), rs.getInt(PRIORITY), instant(rs, CREATED), instant(rs, UPDATED),
                instant(rs, HEARTBEAT), instant(rs, EXECUTE_AFTER), JobStatus.fromLabel(rs.getString(STATUS)),
                rs.getString(ENTRYPOINT), payload, payload != null, rs.getInt(ATTEMPTS),
                Optional.ofNullable(rs.getObject(QUEUE_MANAGER_ID, UUID.class)),
                Optional.ofNullable(rs.getString(DEDUPE_KEY)), Job.parseHeaders(rs.getString(HEADERS)), slotValue);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? Instant.EPOCH : t.toInstant();
    }
}
