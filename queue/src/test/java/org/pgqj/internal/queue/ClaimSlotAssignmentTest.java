package org.pgqj.internal.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.MigratedQueueTest;
import org.pgqj.worker.TestJobs;

/**
 * Which slot each claimed job gets (CONTRACT §4), in one claim over two limited entrypoints and an unlimited
 * one: a limited entrypoint's best fresh jobs take its lowest free slots in priority order, held slots are
 * skipped, a re-claimed stale job keeps its own slot, each entrypoint numbers its slots on its own, and an
 * unlimited entrypoint's jobs get none.
 */
@MigratedQueueTest
class ClaimSlotAssignmentTest {

    @Test
    void bestJobsTakeTheLowestFreeSlotsOfTheirOwnEntrypoint(TestDatabase db, TestJobs jobs) throws Exception {
        // "three" (limit 3): slot 1 held by another worker's job whose heartbeat went stale, slot 3 held by a
        // running one (a slot number at or above a lowered limit is still held; it does not make room)
        long stale = jobs.enqueue("three", new byte[0]);
        pick(jobs, stale, 1, OffsetDateTime.now().minusHours(1));
        long running = jobs.enqueue("three", new byte[0]);
        pick(jobs, running, 3, OffsetDateTime.now());
        long low = jobs.enqueue("three", new byte[0], 1, Duration.ZERO, null);
        long best = jobs.enqueue("three", new byte[0], 9, Duration.ZERO, null);
        long second = jobs.enqueue("three", new byte[0], 5, Duration.ZERO, null);
        long lowToo = jobs.enqueue("three", new byte[0], 1, Duration.ZERO, null);
        // "two" (limit 2), nothing held: its own slots 0 and 1, by id
        long twoFirst = jobs.enqueue("two", new byte[0]);
        long twoSecond = jobs.enqueue("two", new byte[0]);
        long twoThird = jobs.enqueue("two", new byte[0]);
        // "free" (unlimited): no slot
        long freeJob = jobs.enqueue("free", new byte[0]);

        Duration staleAfter = Duration.ofMinutes(5);
        List<ClaimQuery.Part> parts = List.of(
                new ClaimQuery.Part("three", 3, 10, staleAfter),
                new ClaimQuery.Part("two", 2, 10, staleAfter),
                new ClaimQuery.Part("free", 0, 10, staleAfter));
        ClaimQuery claim = new ClaimQuery(UUID.randomUUID(), PgqueuerNames.defaults());
        List<Job> claimed;
        try (DedicatedConnection mine = new DedicatedConnection(db.dataSource(), QueueTables.defaults(), PgqjException::new)) {
            claimed = mine.jdbc(s -> claim.claim(s, parts, 20, new Long[0]));
        }

        Map<Long, Optional<Long>> slots = claimed.stream().collect(Collectors.toMap(Job::id, Job::slot));
        // "three": 3 - 2 held = 1 fresh job (the best) into the lowest free slot 0; the stale one keeps slot 1
        assertEquals(Map.of(
                best, Optional.of(0L),
                stale, Optional.of(1L),
                twoFirst, Optional.of(0L),
                twoSecond, Optional.of(1L),
                freeJob, Optional.<Long>empty()), slots);
        for (long id : List.of(low, second, lowToo, twoThird)) {
            assertEquals(PgqueuerStatus.queued, status(jobs, id), "job " + id + " stays queued");
        }
        assertEquals(PgqueuerStatus.picked, status(jobs, running));
    }

    private static void pick(TestJobs jobs, long id, long slot, OffsetDateTime heartbeat) {
        jobs.dsl().update(PGQUEUER)
                .set(PGQUEUER.STATUS, PgqueuerStatus.picked)
                .set(PGQUEUER.SLOT, slot)
                .set(PGQUEUER.HEARTBEAT, heartbeat)
                .set(PGQUEUER.QUEUE_MANAGER_ID, UUID.randomUUID())
                .where(PGQUEUER.ID.eq(id))
                .execute();
    }

    private static PgqueuerStatus status(TestJobs jobs, long id) {
        return jobs.dsl().select(PGQUEUER.STATUS).from(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne(PGQUEUER.STATUS);
    }
}
