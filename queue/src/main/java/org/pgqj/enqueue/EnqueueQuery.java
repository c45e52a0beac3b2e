package org.pgqj.enqueue;

import static org.jooq.impl.DSL.excluded;
import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.greatest;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.CommonTableExpression;
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.Record4;
import org.jooq.ResultQuery;
import org.jooq.SQLDialect;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.jooq.types.DayToSecond;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.sql.Cte;
import org.pgqj.internal.sql.RenderedStatement;
import org.pgqj.internal.sql.Statuses;

/**
 * The enqueue statement: any number of jobs in ONE statement and round trip, like pgqueuer's. Each
 * column travels as one array parameter; the arrays are unnested in lockstep, every row gets its id
 * from the queue's sequence up front (so skipped rows can be told apart), the queue rows and their
 * {@code queued} log rows are inserted by data-modifying CTEs, and ids come back in input order.
 */
final class EnqueueQuery {

    private static final Field<PgqueuerStatus> QUEUED = Statuses.literal(PgqueuerStatus.queued);
    private static final Field<PgqueuerStatus> PICKED = Statuses.literal(PgqueuerStatus.picked);
    private static final Field<OffsetDateTime> NOW = DSL.currentOffsetDateTime();
    private static final HexFormat HEX = HexFormat.of();
    private static final DayToSecond ONE_MICROSECOND = new DayToSecond(0, 0, 0, 0, 1000);

    private final QueueTables tables;
    /** The rendered statement per shape (on-conflict mode, whether any job has an absolute instant). */
    private final Map<String, RenderedStatement> rendered = new ConcurrentHashMap<>();

    EnqueueQuery(QueueTables tables) {
        this.tables = tables;
    }

    /**
     * One array per column (by parameter name), plus the row count. Headers and instants travel as
     * text and are cast in SQL (jsonb, timestamptz); payloads as hex text decoded in SQL.
     */
    record Columns(Map<String, Object> values, boolean anyExecuteAt) {

        static Columns of(List<NewJob> jobs) {
            int n = jobs.size();
            Integer[] priorities = new Integer[n];
            String[] entrypoints = new String[n];
            String[] payloads = new String[n];
            Long[] delays = new Long[n];
            String[] dedupeKeys = new String[n];
            String[] headers = new String[n];
            String[] executeAts = new String[n];
            boolean anyExecuteAt = false;
            for (int i = 0; i < n; i++) {
                NewJob job = jobs.get(i);
                priorities[i] = job.priority();
                entrypoints[i] = job.entrypoint();
                byte[] payload = job.payloadOrNull();
                payloads[i] = payload == null ? null : HEX.formatHex(payload);
                delays[i] = micros(job);
                dedupeKeys[i] = job.dedupeKey().orElse(null);
                headers[i] = job.headersJson() == null ? "null" : job.headersJson(); // pgqueuer writes JSON null for none
                if (job.executeAt().isPresent()) {
                    executeAts[i] = job.executeAt().get().toString(); // ISO-8601 UTC, microseconds kept
                    anyExecuteAt = true;
                }
            }
            Map<String, Object> values = new HashMap<>();
            values.put("count", n);
            values.put("priority", priorities);
            values.put("entrypoint", entrypoints);
            values.put("payload", payloads);
            values.put("delay_us", delays);
            values.put("dedupe_key", dedupeKeys);
            values.put("headers", headers);
            if (anyExecuteAt) { // the statement without execute_at has no marker for it
                values.put("execute_at", executeAts);
            }
            return new Columns(values, anyExecuteAt);
        }
    }

    /**
     * Runs the statement on the caller's connection (so in the caller's transaction) and returns one id
     * per job in input order, empty where skipped.
     *
     * <p>The statement is written in the jOOQ DSL and rendered once per shape; each call then binds its
     * arrays straight through pgjdbc. Rendering and jOOQ's array-literal binding cost more client CPU per
     * 1,000-job batch than the database spends on the rows (measured: ~10 ms vs ~3.6 ms of client CPU
     * per call), which the throughput target does not allow.
     */
    EnqueueResult execute(DSLContext caller, List<NewJob> jobs, OnConflict onConflict) throws SQLException {
        Columns columns = Columns.of(jobs);
        RenderedStatement statement = rendered.computeIfAbsent(onConflict + "/" + columns.anyExecuteAt(),
                k -> render(columns.anyExecuteAt(), onConflict));
        int n = jobs.size();
        List<Optional<Long>> ids = new ArrayList<>(Collections.nCopies(n, Optional.<Long>empty()));
        try {
            caller.connection(connection -> {
                try (PreparedStatement ps = connection.prepareStatement(statement.sql())) {
                    statement.bind(ps, connection, columns.values());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            ids.set(rs.getInt(1) - 1, Optional.of(rs.getLong(2)));
                        }
                    }
                }
            });
        } catch (DataAccessException e) {
            // jOOQ wraps what the JDBC callback throws; hand the SQLException back for translation
            SQLException sql = e.getCause(SQLException.class);
            if (sql != null) {
                throw sql;
            }
            throw e;
        }
        return new EnqueueResult(ids);
    }

    private RenderedStatement render(boolean anyExecuteAt, OnConflict onConflict) {
        // rendered with the library's own settings, so the text does not depend on the caller's
        RenderedStatement.Params params = new RenderedStatement.Params();
        ResultQuery<?> query = build(tables, tables.dsl(DSL.using(SQLDialect.POSTGRES)), params, anyExecuteAt, onConflict);
        return RenderedStatement.render(query, params);
    }

    static ResultQuery<?> build(QueueTables tables, DSLContext dsl, RenderedStatement.Params params,
                                boolean anyExecuteAt, OnConflict onConflict) {
        // Set-returning functions in one select list run in lockstep (PostgreSQL 10+), so element i of
        // every array lands in row i, numbered by generate_series.
        List<Field<?>> unnested = new ArrayList<>(List.of(
                function("generate_series", Integer.class, inline(1), params.integer("count", SQLDataType.INTEGER)).as("ord"),
                unnest(params.integerArray("priority", SQLDataType.INTEGER.array()), Integer.class).as("priority"),
                unnest(params.textArray("entrypoint", SQLDataType.CLOB.array()), String.class).as("entrypoint"),
                // bytea travels as hex text: a bytea[] literal is spelled with octal escapes, 4x the bytes
                function("decode", byte[].class, unnest(params.textArray("payload", SQLDataType.CLOB.array()), String.class),
                        inline("hex")).as("payload"),
                unnest(params.bigintArray("delay_us", SQLDataType.BIGINT.array()), Long.class).as("delay_us"),
                unnest(params.textArray("dedupe_key", SQLDataType.CLOB.array()), String.class).as("dedupe_key"),
                // text arrays cast in SQL, so the bound arrays stay the text ones Columns built
                unnest(DSL.cast(params.textArray("headers", SQLDataType.CLOB.array()), SQLDataType.JSONB.array()), JSONB.class)
                        .as("headers")));
        if (anyExecuteAt) { // a second statement shape, so the common case binds no all-NULL array
            unnested.add(unnest(DSL.cast(params.textArray("execute_at", SQLDataType.CLOB.array()),
                    SQLDataType.TIMESTAMPWITHTIMEZONE.array()), OffsetDateTime.class).as("execute_at"));
        }
        var columns = select(unnested).asTable("cols");

        // nextval once per row; the sequence name is looked up once (scalar subquery). The table name is
        // the render-mapped one, so a prefix/schema install uses its own sequence.
        String queueTable = tables.names().qualified(tables.names().queueTable());
        Field<String> sequence = field(select(function("pg_get_serial_sequence", String.class,
                inline(queueTable), inline(PGQUEUER.ID.getName()))));
        CommonTableExpression<Record> input = name("pgqj_input").asMaterialized(
                select(function("nextval", Long.class, sequence).as("id"), columns.asterisk()).from(columns));
        Field<Long> inId = Cte.col(input, "id", Long.class);
        Field<Integer> inOrd = Cte.col(input, "ord", Integer.class);

        // execute_after = now() + delay, as pgqueuer; an absolute instant is compared on the database clock
        // (greatest ignores NULL, and a job with an instant has a zero delay).
        Field<OffsetDateTime> afterDelay = NOW.plus(inline(ONE_MICROSECOND).times(Cte.col(input, "delay_us", Long.class)));
        Field<OffsetDateTime> executeAfter = anyExecuteAt
                ? function("greatest", OffsetDateTime.class, afterDelay, Cte.col(input, "execute_at", OffsetDateTime.class))
                : afterDelay;
        var insert = dsl.insertInto(PGQUEUER, PGQUEUER.ID, PGQUEUER.PRIORITY, PGQUEUER.ENTRYPOINT, PGQUEUER.PAYLOAD,
                        PGQUEUER.EXECUTE_AFTER, PGQUEUER.DEDUPE_KEY, PGQUEUER.HEADERS, PGQUEUER.STATUS)
                .select(select(inId, Cte.col(input, "priority", Integer.class), Cte.col(input, "entrypoint", String.class),
                        Cte.col(input, "payload", byte[].class), executeAfter,
                        Cte.col(input, "dedupe_key", String.class), Cte.col(input, "headers", JSONB.class), QUEUED)
                        .from(input));
        // the arbiter must restate the partial unique index's predicate to match it
        Condition live = PGQUEUER.STATUS.in(QUEUED, PICKED).and(PGQUEUER.DEDUPE_KEY.isNotNull());
        ResultQuery<Record4<Long, String, Integer, String>> inserting = switch (onConflict) {
            case SKIP -> insert.onConflict(PGQUEUER.DEDUPE_KEY).where(live).doNothing()
                    .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY, PGQUEUER.DEDUPE_KEY);
            // pgqueuer 1.6's update_priority: the live job keeps its id and gets the higher priority, never a lower
            case UPDATE_PRIORITY -> insert.onConflict(PGQUEUER.DEDUPE_KEY).where(live).doUpdate()
                    .set(PGQUEUER.PRIORITY, greatest(PGQUEUER.PRIORITY, excluded(PGQUEUER.PRIORITY)))
                    .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY, PGQUEUER.DEDUPE_KEY);
            case RAISE -> insert.returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY,
                    PGQUEUER.DEDUPE_KEY);
        };
        // own column names, so the input and the inserted rows can be joined with bare names (see col)
        CommonTableExpression<?> inserted = name("pgqj_inserted")
                .fields("ins_id", "ins_entrypoint", "ins_priority", "ins_dedupe_key").as(inserting);
        Field<Long> insId = Cte.col(inserted, "ins_id", Long.class);

        CommonTableExpression<?> logged = name("pgqj_logged").as(
                dsl.insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT,
                                PGQUEUER_LOG.PRIORITY)
                        .select(select(insId, Statuses.literal(PgqueuerStatus.queued),
                                Cte.col(inserted, "ins_entrypoint", String.class),
                                Cte.col(inserted, "ins_priority", Integer.class))
                                .from(inserted)
                                // a job whose priority was raised was queued before: log new jobs only
                                .where(onConflict == OnConflict.UPDATE_PRIORITY
                                        ? insId.in(select(inId).from(input)) : DSL.trueCondition()))
                        .returningResult(PGQUEUER_LOG.ID));

        // an updated job keeps its own id: it maps back to its input by dedupe key
        Condition sameJob = onConflict == OnConflict.UPDATE_PRIORITY
                ? inId.eq(insId).or(Cte.col(input, "dedupe_key", String.class).eq(Cte.col(inserted, "ins_dedupe_key", String.class)))
                : inId.eq(insId);
        return dsl.with(input).with(inserted).with(logged)
                .select(inOrd, insId)
                .from(inserted)
                .join(input).on(sameJob)
                .orderBy(inOrd);
    }

    private static <T> Field<T> unnest(Field<?> array, Class<T> type) {
        return function("unnest", type, array);
    }

    private static long micros(NewJob job) {
        try {
            return Math.multiplyExact(job.delay().getSeconds(), 1_000_000L) + job.delay().getNano() / 1_000;
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("delay " + job.delay() + " of entrypoint '" + job.entrypoint()
                    + "' is too long", e);
        }
    }
}
