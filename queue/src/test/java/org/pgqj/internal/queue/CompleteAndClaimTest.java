package org.pgqj.internal.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * {@link ClaimQuery#completeAndClaim}: the claim loop's write of finished jobs and its next claim in one round
 * trip and one transaction. The claim reuses the slots the write freed; a lost slot race rolls the pair back
 * and the outcomes are then written alone, so no outcome is lost and no job is claimed twice.
 */
@MigratedQueueTest
class CompleteAndClaimTest {

    private static final String ENTRYPOINT = "limited_two";
    private static final List<ClaimQuery.Part> PARTS =
            List.of(new ClaimQuery.Part(ENTRYPOINT, 2, 10, Duration.ofMinutes(5)));

    @Test
    void theClaimTakesTheSlotsTheWriteFreed(TestDatabase db, TestJobs jobs) throws Exception {
        for (int i = 0; i < 5; i++) {
            jobs.enqueue(ENTRYPOINT, new byte[0]);
        }
        ClaimQuery claim = new ClaimQuery(UUID.randomUUID(), PgqueuerNames.defaults());
        CompleteQuery complete = new CompleteQuery();
        try (DedicatedConnection mine = new DedicatedConnection(db.dataSource(), QueueTables.defaults(), PgqjException::new)) {
            List<Job> first = mine.jdbc(s -> claim.claim(s, PARTS, 10, new Long[0]));
            assertEquals(Set.of(0L, 1L), slots(first), "a limit of two: two jobs, slots 0 and 1");

            List<CompleteQuery.Outcome> outcomes = List.of(
                    new CompleteQuery.Outcome(first.get(0).id(), PgqueuerStatus.successful, null),
                    new CompleteQuery.Outcome(first.get(1).id(), PgqueuerStatus.exception,
                            org.jooq.JSONB.valueOf("{\"exception_type\": \"Boom\"}")));
            List<Job> second = mine.jdbc(s -> claim.completeAndClaim(s, complete, outcomes, PARTS, 10, new Long[0]));

            assertEquals(Set.of(0L, 1L), slots(second), "the claim reuses both slots the write freed");
            for (Job done : first) {
                assertNull(jobs.dsl().selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(done.id())).fetchOne(),
                        "a written job's row is gone");
            }
            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.successful),
                    jobs.logStatuses(first.get(0).id()));
            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.exception),
                    jobs.logStatuses(first.get(1).id()));
            for (Job next : second) {
                assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked), jobs.logStatuses(next.id()));
            }
        }
    }

    @Test
    void aLostSlotRaceStillWritesTheOutcomesAndClaimsNothing(TestDatabase db, TestJobs jobs) throws Exception {
        long done = jobs.enqueue(ENTRYPOINT, new byte[0]);
        long othersJob = jobs.enqueue(ENTRYPOINT, new byte[0]);
        long waiting = jobs.enqueue(ENTRYPOINT, new byte[0]);
        UUID me = UUID.randomUUID();
        ClaimQuery claim = new ClaimQuery(me, PgqueuerNames.defaults());
        CompleteQuery complete = new CompleteQuery();

        try (Connection other = db.connect();
             DedicatedConnection mine = new DedicatedConnection(db.dataSource(), QueueTables.defaults(), PgqjException::new)) {
            // this worker ran "done" in slot 1 (committed) ...
            try (Connection c = db.connect(); PreparedStatement ps = c.prepareStatement(
                    "UPDATE pgqueuer SET status = 'picked', slot = 1, queue_manager_id = ? WHERE id = ?")) {
                ps.setObject(1, me);
                ps.setLong(2, done);
                assertEquals(1, ps.executeUpdate());
            }
            // ... and another worker takes slot 0 with the second job, not committed yet
            Backends.pickUncommitted(other, othersJob, 0);
            int myPid = Backends.pid(mine);

            // the write frees slot 1; the claim, which cannot see the other's slot 0 yet, hands slot 0 to "waiting"
            List<CompleteQuery.Outcome> outcomes = List.of(new CompleteQuery.Outcome(done, PgqueuerStatus.successful, null));
            CompletableFuture<List<Job>> racing = CompletableFuture.supplyAsync(
                    () -> mine.jdbc(s -> claim.completeAndClaim(s, complete, outcomes, PARTS, 10, new Long[0])));
            Await.until("the claim waits on the other worker's uncommitted slot", Duration.ofSeconds(10),
                    () -> Backends.waitsOnALock(db, myPid));
            other.commit();

            assertEquals(List.of(), racing.get(10, TimeUnit.SECONDS), "a lost slot race is an empty claim");
            assertNull(jobs.dsl().selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(done)).fetchOne(),
                    "the outcome was still written: the finished job's row is gone");
            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.successful), jobs.logStatuses(done),
                    "and logged once");
            assertEquals(List.of(PgqueuerStatus.queued), jobs.logStatuses(waiting), "the third job was not claimed");

            // the next claim takes it with the slot the write freed
            List<Job> next = mine.jdbc(s -> claim.claim(s, PARTS, 10, new Long[0]));
            assertEquals(1, next.size());
            assertEquals(waiting, next.getFirst().id());
            assertEquals(Optional.of(1L), next.getFirst().slot());
        }
    }

    private static Set<Long> slots(List<Job> claimed) {
        return claimed.stream().map(j -> j.slot().orElseThrow()).collect(Collectors.toSet());
    }
}
