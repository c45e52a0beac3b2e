package org.pgqj.enqueue;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jooq.DSLContext;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.PgqueuerEnqueueStatement;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.MigratedQueueTest;
import org.pgqj.worker.TestJobs;

@MigratedQueueTest
class EnqueueTest {

    private static final QueueTables TABLES = QueueTables.defaults();
    private static final JobQueue QUEUE = JobQueue.create(TABLES);

    private DSLContext db;

    @BeforeEach
    void dsl(TestJobs jobs) {
        db = jobs.dsl();
    }

    @Test
    void batchReturnsIdsInInputOrderAndLogsEachJobInTheSameStatement() {
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            // priorities descending so that any reordering by the database would show
            jobs.add(NewJob.builder("ep" + (i % 3)).payload(("p" + i).getBytes(UTF_8)).priority(50 - i).build());
        }
        List<Long> ids = QUEUE.enqueueAll(db, jobs);

        assertEquals(50, ids.size());
        for (int i = 0; i < 50; i++) {
            var row = db.selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(ids.get(i))).fetchOne();
            assertEquals("p" + i, new String(row.getPayload(), UTF_8));
            assertEquals(50 - i, row.getPriority());
            assertEquals("ep" + (i % 3), row.getEntrypoint());
        }
        var logs = db.selectFrom(PGQUEUER_LOG).orderBy(PGQUEUER_LOG.ID).fetch();
        assertEquals(50, logs.size());
        for (var log : logs) {
            assertEquals(PgqueuerStatus.queued, log.getStatus());
            assertTrue(ids.contains(log.getJobId()));
            var job = db.selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(log.getJobId())).fetchOne();
            assertEquals(job.getEntrypoint(), log.getEntrypoint());
            assertEquals(job.getPriority(), log.getPriority());
        }
        // one statement: every queue row and log row carries the same transaction timestamp
        assertEquals(1, db.selectDistinct(PGQUEUER.CREATED).from(PGQUEUER).fetch().size());
        assertEquals(1, db.selectDistinct(PGQUEUER_LOG.CREATED).from(PGQUEUER_LOG).fetch().size());
    }

    @Test
    void javaRowIsIndistinguishableFromTheOnePgqueuerWrites() {
        long javaId = QUEUE.enqueue(db, NewJob.builder("send_email").payload("{\"to\": 1}".getBytes(UTF_8))
                .priority(3).delay(Duration.ofSeconds(90)).build());
        // what pgqueuer's enqueue statement writes for the same job (arrays + unnest, execute_after + now())
        long pythonId = db.resultQuery(PgqueuerEnqueueStatement.SQL,
                "{3}", "{send_email}", "{\"\\\\x7b22746f223a20317d\"}", "{\"90 seconds\"}", "{NULL}", "{\"null\"}")
                .fetchOne(1, Long.class);

        Record java = db.select(rowShape()).from(PGQUEUER).where(PGQUEUER.ID.eq(javaId)).fetchOne();
        Record python = db.select(rowShape()).from(PGQUEUER).where(PGQUEUER.ID.eq(pythonId)).fetchOne();
        assertEquals(python.intoMap(), java.intoMap());
        assertEquals("null", db.select(DSL.field("headers::text", String.class)).from(PGQUEUER)
                .where(PGQUEUER.ID.eq(javaId)).fetchOne(0));
        assertEquals(0, java.get("attempts", Integer.class));
        assertEquals(List.of(Map.of("status", "queued", "entrypoint", "send_email", "priority", 3)),
                List.of(logShape(javaId)));
        assertEquals(logShape(pythonId), logShape(javaId));
    }

    /** Every column that does not differ by id or clock, plus execute_after relative to created. */
    private static List<org.jooq.SelectField<?>> rowShape() {
        return List.of(PGQUEUER.PRIORITY, PGQUEUER.QUEUE_MANAGER_ID, PGQUEUER.STATUS, PGQUEUER.ENTRYPOINT,
                PGQUEUER.DEDUPE_KEY, DSL.field("encode(payload, 'hex')", String.class).as("payload_hex"),
                DSL.field("headers::text", String.class).as("headers_text"),
                DSL.field("headers IS NULL", Boolean.class).as("headers_sql_null"),
                PGQUEUER.ATTEMPTS, PGQUEUER.SLOT,
                DSL.field("execute_after - created", String.class).as("delay"),
                DSL.field("updated = created AND heartbeat = created", Boolean.class).as("stamps"));
    }

    private Map<String, Object> logShape(long id) {
        var log = db.selectFrom(PGQUEUER_LOG).where(PGQUEUER_LOG.JOB_ID.eq(id)).fetchSingle();
        assertNull(log.getTraceback());
        assertFalse(log.getAggregated());
        return Map.of("status", log.getStatus().getLiteral(), "entrypoint", log.getEntrypoint(),
                "priority", log.getPriority());
    }

    @Test
    void noPayloadIsSqlNullAndHeadersAreAJsonObject() {
        long id = QUEUE.enqueue(db, NewJob.builder("ping").header("otel", "{\"traceparent\":\"00-1\"}")
                .dedupeKey("k1").build());
        var row = db.selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne();
        assertNull(row.getPayload());
        assertEquals("k1", row.getDedupeKey());
        assertEquals("{\"otel\": \"{\\\"traceparent\\\":\\\"00-1\\\"}\"}", row.getHeaders().data());
    }

    @Test
    void executeAtIsStoredOnTheDatabaseClockAndPastInstantsMeanNow() {
        Instant future = Instant.now().plus(Duration.ofHours(2)).truncatedTo(java.time.temporal.ChronoUnit.MICROS);
        long later = QUEUE.enqueue(db, NewJob.builder("x").executeAt(future).build());
        long past = QUEUE.enqueue(db, NewJob.builder("x").executeAt(Instant.parse("2001-01-01T00:00:00Z")).build());
        assertEquals(future, db.select(PGQUEUER.EXECUTE_AFTER).from(PGQUEUER).where(PGQUEUER.ID.eq(later))
                .fetchOne(0, java.time.OffsetDateTime.class).toInstant());
        assertTrue(db.fetchExists(PGQUEUER, PGQUEUER.ID.eq(past).and(PGQUEUER.EXECUTE_AFTER.eq(PGQUEUER.CREATED))));
    }

    @Test
    void delayHasMicrosecondPrecision() {
        long id = QUEUE.enqueue(db, NewJob.builder("x").delay(Duration.ofSeconds(3, 1_000)).build());
        assertEquals("00:00:03.000001", db.select(DSL.field("(execute_after - created)::text", String.class))
                .from(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne(0));
    }

    @Test
    void raiseFailsTheWholeBatchAndNamesTheKey(TestDatabase database) throws Exception {
        QUEUE.enqueue(db, NewJob.builder("x").dedupeKey("order-7").build());
        try (Connection c = database.connect()) {
            c.setAutoCommit(false);
            DSLContext trx = DSL.using(c, SQLDialect.POSTGRES);
            DuplicateJobException e = assertThrows(DuplicateJobException.class, () -> QUEUE.enqueueAll(trx, List.of(
                    NewJob.builder("x").dedupeKey("fresh").build(),
                    NewJob.builder("x").dedupeKey("order-7").build())));
            assertEquals(List.of("order-7"), e.dedupeKeys());
            assertTrue(e.getMessage().contains("order-7"), e.getMessage());
            c.rollback();
        }
        assertEquals(1, db.fetchCount(PGQUEUER));
        assertEquals(1, db.fetchCount(PGQUEUER_LOG));

        // two jobs of one batch with the same key conflict with each other
        var inBatch = assertThrows(DuplicateJobException.class, () -> QUEUE.enqueueAll(db, List.of(
                NewJob.builder("x").dedupeKey("twice").build(), NewJob.builder("x").dedupeKey("twice").build())));
        assertEquals(List.of("twice"), inBatch.dedupeKeys());
        assertEquals(1, db.fetchCount(PGQUEUER));
    }

    @Test
    void skipLeavesTheSkippedIdsEmptyAndWritesTheRest() {
        QUEUE.enqueue(db, NewJob.builder("x").dedupeKey("a").build());
        EnqueueResult result = QUEUE.enqueue(db, List.of(
                NewJob.builder("x").dedupeKey("a").build(),
                NewJob.builder("x").dedupeKey("b").build(),
                NewJob.builder("x").build(),
                NewJob.builder("x").dedupeKey("b").build()), OnConflict.SKIP);
        assertEquals(List.of(0, 3), result.skippedIndexes());
        assertTrue(result.ids().get(1).isPresent());
        assertTrue(result.ids().get(2).isPresent());
        assertFalse(result.allWritten());
        assertEquals(3, db.fetchCount(PGQUEUER));
        assertEquals(3, db.fetchCount(PGQUEUER_LOG, PGQUEUER_LOG.STATUS.eq(PgqueuerStatus.queued)));
    }

    @Test
    void aDedupeKeyIsFreeAgainOnceTheJobIsDone() {
        long first = QUEUE.enqueue(db, NewJob.builder("x").dedupeKey("once").build());
        db.deleteFrom(PGQUEUER).where(PGQUEUER.ID.eq(first)).execute();
        assertEquals(Optional.empty(), QUEUE.enqueue(db, List.of(NewJob.builder("x").dedupeKey("once").build()),
                OnConflict.SKIP).skippedIndexes().stream().findFirst());
    }

    @Test
    void badInputFailsBeforeAnythingIsWritten() {
        var blank = assertThrows(IllegalArgumentException.class, () -> NewJob.builder(" ").build());
        assertTrue(blank.getMessage().contains("entrypoint"), blank.getMessage());
        var negative = assertThrows(IllegalArgumentException.class,
                () -> NewJob.builder("x").delay(Duration.ofSeconds(-1)).build());
        assertTrue(negative.getMessage().contains("PT-1S"), negative.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> NewJob.builder("x").delay(Duration.ofSeconds(1)).executeAt(Instant.now()).build());
        assertThrows(IllegalArgumentException.class, () -> NewJob.builder("x").dedupeKey("").build());
        assertThrows(IllegalArgumentException.class, () -> NewJob.builder("x").header(null, "v").build()); // a null value is JSON null
        List<NewJob> withNull = new ArrayList<>();
        withNull.add(NewJob.of("x", null));
        withNull.add(null);
        var nullElement = assertThrows(IllegalArgumentException.class, () -> QUEUE.enqueueAll(db, withNull));
        assertTrue(nullElement.getMessage().contains("jobs[1]"), nullElement.getMessage());
        assertEquals(0, db.fetchCount(PGQUEUER));
        assertEquals(List.of(), QUEUE.enqueueAll(db, List.of()));
    }
}
