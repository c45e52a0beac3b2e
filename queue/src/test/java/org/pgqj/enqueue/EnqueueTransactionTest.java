package org.pgqj.enqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The job lives and dies with the caller's transaction; workers hear of it only after commit. */
@ExtendWith(PostgresExtension.class)
class EnqueueTransactionTest {

    private static final QueueTables TABLES = QueueTables.defaults();
    private static final JobQueue QUEUE = JobQueue.create(TABLES);

    @BeforeAll
    static void migrate(TestDatabase db) {
        PgqueuerSchema.forDataSource(db.dataSource()).migrate();
        PgqueuerSchema.forDataSource(db.dataSource()).names(new PgqueuerNames("acme_", "jobs")).migrate();
    }

    @Test
    void commitMakesTheJobDurableAndRollbackMeansItNeverExisted(TestDatabase db) {
        DSLContext app = DSL.using(db.dataSource(), SQLDialect.POSTGRES);
        long[] committed = new long[1];
        app.transaction(trx -> committed[0] = QUEUE.enqueue(trx.dsl(), NewJob.of("kept", null)));
        long[] rolledBack = new long[1];
        assertThrows(IllegalStateException.class, () -> app.transaction(trx -> {
            rolledBack[0] = QUEUE.enqueue(trx.dsl(), NewJob.of("lost", null));
            throw new IllegalStateException("the request failed after enqueueing");
        }));
        DSLContext q = TABLES.dsl(db.dataSource());
        assertTrue(q.fetchExists(PGQUEUER, PGQUEUER.ID.eq(committed[0])));
        assertTrue(q.fetchExists(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID.eq(committed[0])));
        assertFalse(q.fetchExists(PGQUEUER, PGQUEUER.ID.eq(rolledBack[0])));
        assertFalse(q.fetchExists(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID.eq(rolledBack[0])));
    }

    @Test
    void aListeningWorkerSeesTheJobOnlyAfterCommit(TestDatabase db) throws Exception {
        try (Connection worker = db.connect(); Connection producer = db.connect()) {
            try (Statement st = worker.createStatement()) {
                st.execute("LISTEN ch_pgqueuer"); // jOOQ has no LISTEN statement
            }
            producer.setAutoCommit(false);
            long id = QUEUE.enqueue(DSL.using(producer, SQLDialect.POSTGRES), NewJob.of("visible_later", null));

            PGConnection pg = worker.unwrap(PGConnection.class);
            PGNotification[] early = pg.getNotifications(300);
            assertTrue(early == null || early.length == 0, "no NOTIFY before commit");
            DSLContext workerDsl = TABLES.dsl(DSL.using(worker, SQLDialect.POSTGRES));
            assertFalse(workerDsl.fetchExists(PGQUEUER, PGQUEUER.ID.eq(id)), "uncommitted job visible");

            producer.commit();
            PGNotification[] received = awaitNotifications(pg);
            JsonNode event = new ObjectMapper().readTree(received[0].getParameter());
            assertEquals("table_changed_event", event.get("type").asText());
            assertEquals("insert", event.get("operation").asText());
            assertEquals("pgqueuer", event.get("table").asText());
            assertTrue(workerDsl.fetchExists(PGQUEUER, PGQUEUER.ID.eq(id)));
        }
    }

    private static PGNotification[] awaitNotifications(PGConnection pg) throws Exception {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < deadline) {
            PGNotification[] n = pg.getNotifications(500);
            if (n != null && n.length > 0) {
                return n;
            }
        }
        throw new AssertionError("no NOTIFY within 10 s of commit");
    }

    @Test
    void prefixAndSchemaInstallGetsTheJobsAndItsOwnChannel(TestDatabase db) throws Exception {
        QueueTables acme = QueueTables.of(new PgqueuerNames("acme_", "jobs"));
        JobQueue acmeQueue = JobQueue.create(acme);
        try (Connection worker = db.connect()) {
            try (Statement st = worker.createStatement()) {
                st.execute("LISTEN acme_ch_pgqueuer"); // jOOQ has no LISTEN statement
            }
            DSLContext app = DSL.using(db.dataSource(), SQLDialect.POSTGRES);
            List<NewJob> jobs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                jobs.add(NewJob.builder("acme_task").priority(i).dedupeKey("d" + i).build());
            }
            List<Long> ids = app.transactionResult(trx -> acmeQueue.enqueueAll(trx.dsl(), jobs));
            EnqueueResult again = app.transactionResult(trx -> acmeQueue.enqueue(trx.dsl(), jobs, OnConflict.SKIP));
            assertEquals(List.of(0, 1, 2, 3, 4), again.skippedIndexes());
            assertThrows(DuplicateJobException.class, () -> app.transaction(trx -> acmeQueue.enqueueAll(trx.dsl(), jobs)));

            assertNotNull(awaitNotifications(worker.unwrap(PGConnection.class)));
            assertEquals(ids, app.select(DSL.field("id", Long.class)).from(DSL.table("jobs.acme_pgqueuer"))
                    .orderBy(DSL.field("id")).fetch(0, Long.class));
            assertEquals(5, app.fetchCount(DSL.table("jobs.acme_pgqueuer_log")));
            assertEquals(0, TABLES.dsl(db.dataSource()).fetchCount(PGQUEUER, PGQUEUER.ENTRYPOINT.eq("acme_task")),
                    "default install untouched");
        }
    }
}
