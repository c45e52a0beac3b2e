package org.pgqj.internal.controls;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.val;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.pgqj.schema.PgqueuerNames;

/**
 * Every statement on pgqj's table of paused entrypoints ({@code <prefix>pgqj_paused_entrypoints}, installed by
 * {@code ControlsSchema}) and the notification on pgqj's controls channel: {@code QueueAdmin} writes, the worker's
 * claim loop reads. The table is not pgqueuer's, so it has no generated classes: it is named here, in the jOOQ DSL.
 *
 * <p>Not API: internal machinery of pgqj, free to change in any release.
 */
public final class PauseTable {

    /** One paused entrypoint. */
    public record Row(String entrypoint, OffsetDateTime pausedAt, String pausedBy) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Field<String> ENTRYPOINT = field(name("entrypoint"), String.class);
    private static final Field<OffsetDateTime> PAUSED_AT = field(name("paused_at"), OffsetDateTime.class);
    private static final Field<String> PAUSED_BY = field(name("paused_by"), String.class);

    private PauseTable() {
    }

    private static Table<?> table(PgqueuerNames names) {
        return DSL.table(name(names.schema(), names.pausedEntrypointsTable()));
    }

    /** Whether the table exists (a catalog lookup that cannot fail on a missing table). */
    public static boolean installed(DSLContext dsl, PgqueuerNames names) {
        return Boolean.TRUE.equals(dsl.select(field("to_regclass({0}) is not null", Boolean.class,
                val(names.qualified(names.pausedEntrypointsTable())))).fetchSingle().value1());
    }

    /** The paused entrypoints by name; empty when the table is not installed. */
    public static Optional<List<Row>> read(DSLContext dsl, PgqueuerNames names) {
        if (!installed(dsl, names)) {
            return Optional.empty();
        }
        return Optional.of(dsl.select(ENTRYPOINT, PAUSED_AT, PAUSED_BY).from(table(names)).orderBy(ENTRYPOINT)
                .fetch(r -> new Row(r.value1(), r.value2(), r.value3())));
    }

    /**
     * Pauses {@code entrypoint} (the table must exist) and notifies the controls channel at commit; false when it
     * was paused already (its row, and who paused it first, are kept).
     */
    public static boolean pause(DSLContext dsl, PgqueuerNames names, String entrypoint, String by) {
        int inserted = dsl.insertInto(table(names)).columns(ENTRYPOINT, PAUSED_BY).values(entrypoint, by)
                .onConflictDoNothing().execute();
        if (inserted > 0) {
            notifyChange(dsl, names, entrypoint, true, by);
        }
        return inserted > 0;
    }

    /** Resumes {@code entrypoint} (the table must exist) and notifies at commit; false when it was not paused. */
    public static boolean resume(DSLContext dsl, PgqueuerNames names, String entrypoint, String by) {
        int deleted = dsl.deleteFrom(table(names)).where(ENTRYPOINT.eq(entrypoint)).execute();
        if (deleted > 0) {
            notifyChange(dsl, names, entrypoint, false, by);
        }
        return deleted > 0;
    }

    /** The payload says what changed, for a reader of the channel; a worker re-reads the table on any payload. */
    private static void notifyChange(DSLContext dsl, PgqueuerNames names, String entrypoint, boolean paused, String by) {
        ObjectNode payload = JSON.createObjectNode()
                .put("type", paused ? "entrypoint_paused" : "entrypoint_resumed")
                .put("entrypoint", entrypoint)
                .put("by", by);
        dsl.select(function("pg_notify", Object.class, val(names.controlsChannel()), val(payload.toString())))
                .fetch();
    }
}
