package org.pgqj.enqueue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.util.List;
import java.util.Optional;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** OnConflict.UPDATE_PRIORITY as pgqueuer 1.6's on_conflict="update_priority", on a prefixed install. */
@ExtendWith(PostgresExtension.class)
class UpdatePriorityTest {

    private static final QueueTables ACME = QueueTables.of(new PgqueuerNames("acme_", "jobs"));
    private static final JobQueue QUEUE = JobQueue.create(ACME);
    private DSLContext dsl;

    @BeforeAll
    static void migrate(TestDatabase db) {
        PgqueuerSchema.forDataSource(db.dataSource()).names(ACME.names()).migrate();
    }

    @BeforeEach
    void clean(TestDatabase db) {
        dsl = ACME.dsl(db.dataSource());
        dsl.deleteFrom(PGQUEUER).execute();
        dsl.deleteFrom(PGQUEUER_LOG).execute();
    }

    private int priority(long id) {
        return dsl.select(PGQUEUER.PRIORITY).from(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchSingle().value1();
    }

    private int queuedLogRows(long id) {
        return dsl.fetchCount(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID.eq(id).and(PGQUEUER_LOG.STATUS.eq(PgqueuerStatus.queued)));
    }

    @Test
    void raisesNeverLowersAndReturnsTheExistingId() {
        long existing = QUEUE.enqueue(dsl, NewJob.builder("mail").dedupeKey("k").priority(5).build());

        EnqueueResult lower = QUEUE.enqueue(dsl, List.of(NewJob.builder("mail").dedupeKey("k").priority(1).build()),
                OnConflict.UPDATE_PRIORITY);
        assertEquals(List.of(Optional.of(existing)), lower.ids());
        assertEquals(5, priority(existing), "never lowered");

        EnqueueResult higher = QUEUE.enqueue(dsl, List.of(NewJob.builder("mail").dedupeKey("k").priority(9).build()),
                OnConflict.UPDATE_PRIORITY);
        assertEquals(List.of(Optional.of(existing)), higher.ids());
        assertEquals(9, priority(existing), "raised with GREATEST");
        assertEquals(1, dsl.fetchCount(PGQUEUER), "no second job");
        assertEquals(1, queuedLogRows(existing), "the raised job was queued once, and logged once");
    }

    @Test
    void inABatchNewJobsAreWrittenAndConflictsMapToTheExistingIdsInInputOrder() {
        long a = QUEUE.enqueue(dsl, NewJob.builder("mail").dedupeKey("a").priority(0).build());
        long b = QUEUE.enqueue(dsl, NewJob.builder("mail").dedupeKey("b").priority(7).build());
        dsl.update(PGQUEUER).set(PGQUEUER.STATUS, PgqueuerStatus.picked).where(PGQUEUER.ID.eq(b)).execute();

        EnqueueResult result = QUEUE.enqueue(dsl, List.of(
                NewJob.builder("mail").priority(1).build(),                  // no key: new
                NewJob.builder("mail").dedupeKey("b").priority(3).build(),   // picked holder, higher priority stays
                NewJob.builder("mail").dedupeKey("c").priority(2).build(),   // new key: new
                NewJob.builder("mail").dedupeKey("a").priority(4).build()),  // queued holder: raised to 4
                OnConflict.UPDATE_PRIORITY);
        List<Optional<Long>> ids = result.ids();
        assertEquals(4, ids.size());
        assertTrue(ids.stream().allMatch(Optional::isPresent), ids.toString());
        assertEquals(b, ids.get(1).orElseThrow());
        assertEquals(a, ids.get(3).orElseThrow());
        assertTrue(ids.get(0).orElseThrow() > b && ids.get(2).orElseThrow() > ids.get(0).orElseThrow(), ids.toString());
        assertEquals(4, priority(a));
        assertEquals(7, priority(b));
        assertEquals(4, dsl.fetchCount(PGQUEUER));
        assertEquals(1, queuedLogRows(ids.get(0).orElseThrow()));
        assertEquals(1, queuedLogRows(a), "no second queued row for the raised job");
    }

    @Test
    void aKeyRepeatedInOneBatchIsRejectedBeforeAnythingIsSent() {
        var e = assertThrows(IllegalArgumentException.class, () -> QUEUE.enqueue(dsl, List.of(
                NewJob.builder("mail").dedupeKey("twice").build(), NewJob.builder("mail").dedupeKey("twice").build()),
                OnConflict.UPDATE_PRIORITY));
        assertTrue(e.getMessage().contains("'twice'"), e.getMessage());
        assertEquals(0, dsl.fetchCount(PGQUEUER));
    }
}
