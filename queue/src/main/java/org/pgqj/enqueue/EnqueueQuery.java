package org.pgqj.enqueue;

import static org.jooq.impl.DSL.field;
import static org.jooq.impl.DSL.function;
import static org.jooq.impl.DSL.inline;
import static org.jooq.impl.DSL.name;
import static org.jooq.impl.DSL.select;
import static org.jooq.impl.DSL.val;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.CommonTableExpression;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.Record2;
import org.jooq.ResultQuery;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;
import org.jooq.types.DayToSecond;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;

/**
 * The enqueue statement: any number of jobs in ONE statement and round trip, like pgqueuer's. Each
 * column travels as one array parameter; the arrays are unnested in lockstep, every row gets its id
 * from the queue's sequence up front (so skipped rows can be told apart), the queue rows and their
 * {@code queued} log rows are inserted by data-modifying CTEs, and ids come back in input order.
 */
final class EnqueueQuery {

    private static final Field<PgqueuerStatus> QUEUED = inline(PgqueuerStatus.queued, PGQUEUER.STATUS);
    private static final Field<PgqueuerStatus> PICKED = inline(PgqueuerStatus.picked, PGQUEUER.STATUS);
    private static final Field<OffsetDateTime> NOW = DSL.currentOffsetDateTime();
    private static final DayToSecond ONE_MICROSECOND = new DayToSecond(0, 0, 0, 0, 1000);

    private EnqueueQuery() {
    }

    static ResultQuery<Record2<Integer, Long>> build(QueueTables tables, DSLContext dsl, List<NewJob> jobs,
                                                     OnConflict onConflict) {
        int n = jobs.size();
        Integer[] priorities = new Integer[n];
        String[] entrypoints = new String[n];
        byte[][] payloads = new byte[n][];
        Long[] delays = new Long[n];
        OffsetDateTime[] executeAts = new OffsetDateTime[n];
        String[] dedupeKeys = new String[n];
        JSONB[] headers = new JSONB[n];
        for (int i = 0; i < n; i++) {
            NewJob job = jobs.get(i);
            priorities[i] = job.priority();
            entrypoints[i] = job.entrypoint();
            payloads[i] = job.payloadOrNull();
            delays[i] = micros(job);
            executeAts[i] = job.executeAt().map(t -> t.atOffset(ZoneOffset.UTC)).orElse(null);
            dedupeKeys[i] = job.dedupeKey().orElse(null);
            headers[i] = JSONB.valueOf(HeadersJson.write(job.headers()));
        }

        // Set-returning functions in one select list run in lockstep (PostgreSQL 10+), so element i of
        // every array lands in row i, numbered by generate_series.
        var columns = select(
                function("generate_series", Integer.class, inline(1), val(n)).as("ord"),
                unnest(val(priorities, SQLDataType.INTEGER.array()), Integer.class).as("priority"),
                unnest(val(entrypoints, SQLDataType.CLOB.array()), String.class).as("entrypoint"),
                unnest(val(payloads, SQLDataType.BLOB.array()), byte[].class).as("payload"),
                unnest(val(delays, SQLDataType.BIGINT.array()), Long.class).as("delay_us"),
                unnest(val(executeAts, SQLDataType.TIMESTAMPWITHTIMEZONE.array()), OffsetDateTime.class).as("execute_at"),
                unnest(val(dedupeKeys, SQLDataType.CLOB.array()), String.class).as("dedupe_key"),
                unnest(val(headers, SQLDataType.JSONB.array()), JSONB.class).as("headers"))
                .asTable("cols");

        // nextval once per row; the sequence name is looked up once (scalar subquery). The table name is
        // the render-mapped one, so a prefix/schema install uses its own sequence.
        String queueTable = tables.names().qualified(tables.names().queueTable());
        Field<String> sequence = field(select(function("pg_get_serial_sequence", String.class,
                inline(queueTable), inline(PGQUEUER.ID.getName()))));
        CommonTableExpression<Record> input = name("pgqj_input").asMaterialized(
                select(function("nextval", Long.class, sequence).as("id"), columns.asterisk()).from(columns));
        Field<Long> inId = col(input, "id", Long.class);
        Field<Integer> inOrd = col(input, "ord", Integer.class);

        // execute_after = now() + delay, as pgqueuer; an absolute instant is compared on the database clock
        // (greatest ignores NULL, and a job with an instant has a zero delay).
        Field<OffsetDateTime> executeAfter = function("greatest", OffsetDateTime.class,
                NOW.plus(inline(ONE_MICROSECOND).times(col(input, "delay_us", Long.class))),
                col(input, "execute_at", OffsetDateTime.class));

        var insert = dsl.insertInto(PGQUEUER, PGQUEUER.ID, PGQUEUER.PRIORITY, PGQUEUER.ENTRYPOINT, PGQUEUER.PAYLOAD,
                        PGQUEUER.EXECUTE_AFTER, PGQUEUER.DEDUPE_KEY, PGQUEUER.HEADERS, PGQUEUER.STATUS)
                .select(select(inId, col(input, "priority", Integer.class), col(input, "entrypoint", String.class),
                        col(input, "payload", byte[].class), executeAfter,
                        col(input, "dedupe_key", String.class), col(input, "headers", JSONB.class), QUEUED)
                        .from(input));
        ResultQuery<?> inserting = onConflict == OnConflict.SKIP
                // the arbiter must restate the partial unique index's predicate to match it
                ? insert.onConflict(PGQUEUER.DEDUPE_KEY)
                        .where(PGQUEUER.STATUS.in(QUEUED, PICKED).and(PGQUEUER.DEDUPE_KEY.isNotNull()))
                        .doNothing()
                        .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY)
                : insert.returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY);
        CommonTableExpression<?> inserted = name("pgqj_inserted").as(inserting);
        Field<Long> insId = col(inserted, PGQUEUER.ID.getName(), Long.class);

        CommonTableExpression<?> logged = name("pgqj_logged").as(
                dsl.insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT,
                                PGQUEUER_LOG.PRIORITY)
                        .select(select(insId, inline(PgqueuerStatus.queued, PGQUEUER_LOG.STATUS),
                                col(inserted, PGQUEUER.ENTRYPOINT.getName(), String.class),
                                col(inserted, PGQUEUER.PRIORITY.getName(), Integer.class))
                                .from(inserted))
                        .returningResult(PGQUEUER_LOG.ID));

        return dsl.with(input).with(inserted).with(logged)
                .select(inOrd, insId)
                .from(inserted)
                .join(input).using(insId)
                .orderBy(inOrd);
    }

    /**
     * A CTE column by its bare name. Qualified references ({@code cte.col}) would be rendered with the
     * install's schema by QueueTables' render mapping (it maps every schema-less name), so each query
     * here reads from a single CTE or joins with USING, where bare names are unambiguous.
     */
    private static <T> Field<T> col(CommonTableExpression<?> cte, String column, Class<T> type) {
        return field(name(column), type);
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

    /** Scatters (ord, id) pairs into an input-sized list, empty where a job was skipped. */
    static EnqueueResult scatter(int n, List<Record2<Integer, Long>> rows) {
        List<Optional<Long>> ids = new ArrayList<>(Collections.nCopies(n, Optional.<Long>empty()));
        for (Record2<Integer, Long> row : rows) {
            ids.set(row.value1() - 1, Optional.of(row.value2()));
        }
        return new EnqueueResult(ids);
    }

    /** Headers as pgqueuer writes them: a JSON object, or JSON {@code null} when there are none. */
    static final class HeadersJson {
        private static final com.fasterxml.jackson.databind.ObjectMapper JSON =
                new com.fasterxml.jackson.databind.ObjectMapper();

        private HeadersJson() {
        }

        static String write(Map<String, String> headers) {
            if (headers.isEmpty()) {
                return "null";
            }
            try {
                return JSON.writeValueAsString(headers);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new IllegalStateException("string headers always serialise", e);
            }
        }
    }
}
