package org.pgqj.internal.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.MigratedQueueTest;
import org.pgqj.worker.TestJobs;

/**
 * A lost slot race (CONTRACT §4), forced: with a limit of 2, another worker's claim of slot 0 is still
 * uncommitted when this claim, which cannot see it yet, hands slot 0 to the next job. The unique slot
 * index makes this claim wait and then fail once the other commits; that must come back as an empty
 * claim (not an error), leave the job queued, and the next claim must take it with the free slot 1.
 */
@MigratedQueueTest
class ClaimSlotRaceTest {

    private static final String ENTRYPOINT = "limited_two";

    @Test
    void lostSlotRaceIsAnEmptyClaimAndLosesNothing(TestDatabase db, TestJobs jobs) throws Exception {
        long first = jobs.enqueue(ENTRYPOINT, new byte[0]);
        long second = jobs.enqueue(ENTRYPOINT, new byte[0]);
        List<ClaimQuery.Part> parts = List.of(new ClaimQuery.Part(ENTRYPOINT, 2, 10, Duration.ofMinutes(5)));
        ClaimQuery claim = new ClaimQuery(UUID.randomUUID(), PgqueuerNames.defaults());

        try (Connection other = db.connect();
             DedicatedConnection mine = new DedicatedConnection(db.dataSource(), QueueTables.defaults(), PgqjException::new)) {
            // the other worker: slot 0 taken by the first job, not committed yet
            Backends.pickUncommitted(other, first, 0);
            int myPid = Backends.pid(mine);

            CompletableFuture<List<Job>> racing = CompletableFuture.supplyAsync(
                    () -> mine.jdbc(s -> claim.claim(s, parts, 10, new Long[0])));
            Await.until("the claim waits on the other worker's uncommitted slot", Duration.ofSeconds(10),
                    () -> Backends.waitsOnALock(db, myPid));
            other.commit();

            List<Job> claimed = racing.get(10, TimeUnit.SECONDS);
            assertEquals(List.of(), claimed, "a lost slot race is an empty claim");
            assertEquals(PgqueuerStatus.queued, status(jobs, second), "the second job is still queued, not lost");
            assertEquals(List.of(PgqueuerStatus.queued), jobs.logStatuses(second), "and has no picked log row");

            // now that the other claim is visible, the next claim takes the second job with the free slot 1
            List<Job> next = mine.jdbc(s -> claim.claim(s, parts, 10, new Long[0]));
            assertEquals(1, next.size());
            assertEquals(second, next.getFirst().id());
            assertEquals(Optional.of(1L), next.getFirst().slot());
        }
    }

    private static PgqueuerStatus status(TestJobs jobs, long id) {
        PgqueuerStatus s = jobs.dsl().select(PGQUEUER.STATUS).from(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne(PGQUEUER.STATUS);
        assertTrue(s != null, "job " + id + " must still exist");
        return s;
    }
}
