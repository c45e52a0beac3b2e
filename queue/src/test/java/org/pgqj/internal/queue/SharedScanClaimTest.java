package org.pgqj.internal.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.MigratedQueueTest;
import org.pgqj.worker.TestJobs;

/**
 * The shared scan of a claim over many open (unlimited, not rate-limited) entrypoints: one bounded read of the
 * queue in claim order instead of one per entrypoint. When rows this worker does not serve fill the bound (another
 * service's deep backlog at a higher priority), the claim still gets its rows, through the top-up with one scan
 * per entrypoint, in claim order; below the threshold the claim keeps a scan per entrypoint.
 */
@MigratedQueueTest
class SharedScanClaimTest {

    private static final Duration STALE_AFTER = Duration.ofMinutes(5);
    private static final String FOREIGN = "served_elsewhere";

    private TestDatabase db;
    private TestJobs jobs;
    private final ClaimQuery claim = new ClaimQuery(UUID.randomUUID(), PgqueuerNames.defaults());

    @BeforeEach
    void install(TestDatabase db, TestJobs jobs) {
        this.db = db;
        this.jobs = jobs;
    }

    private static String ep(int i) {
        return "open_" + i;
    }

    private static List<ClaimQuery.Part> open(int count, int take) {
        List<ClaimQuery.Part> parts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            parts.add(new ClaimQuery.Part(ep(i), 0, take, STALE_AFTER));
        }
        return parts;
    }

    private List<Long> enqueue(List<NewJob> batch) throws SQLException {
        try (Connection c = db.connect()) {
            return JobQueue.create(QueueTables.defaults())
                    .enqueueAll(QueueTables.defaults().dsl(DSL.using(c, SQLDialect.POSTGRES)), batch);
        }
    }

    /** More rows than the shared scan of a claim of {@code batch} examines, of an entrypoint nobody here serves. */
    private void foreignBacklog(int batch, int priority) throws SQLException {
        int bound = ClaimQuery.SHARED_SCAN_ROWS_PER_CAP * ClaimQuery.cap(batch);
        List<NewJob> backlog = new ArrayList<>();
        for (int i = 0; i < bound + 50; i++) {
            backlog.add(NewJob.builder(FOREIGN).priority(priority).build());
        }
        enqueue(backlog);
    }

    private DedicatedConnection connection() {
        return new DedicatedConnection(db.dataSource(), QueueTables.defaults(), PgqjException::new);
    }

    /** The queued rows of the served entrypoints in claim order. */
    private List<Long> servedInClaimOrder() {
        return jobs.dsl().select(PGQUEUER.ID).from(PGQUEUER)
                .where(PGQUEUER.ENTRYPOINT.ne(FOREIGN), PGQUEUER.STATUS.eq(PgqueuerStatus.queued))
                .orderBy(PGQUEUER.PRIORITY.desc(), PGQUEUER.ID.asc()).fetch(PGQUEUER.ID);
    }

    @Test
    void aForeignBacklogAboveTheBoundStillLeavesTheClaimItsRowsInClaimOrder() throws SQLException {
        int batch = 50;
        // served rows on both sides of the foreign backlog: priority 20 (inside the bound), 0 (past it)
        List<NewJob> served = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            served.add(NewJob.builder(ep(i)).priority(i % 3 == 0 ? 20 : 0).build());
            served.add(NewJob.builder(ep(i)).priority(i % 2).build());
            served.add(NewJob.builder(ep(i)).build());
        }
        enqueue(served);
        foreignBacklog(batch, 10);
        List<Long> expected = servedInClaimOrder().subList(0, batch);
        List<Job> claimed;
        try (DedicatedConnection mine = connection()) {
            claimed = mine.jdbc(s -> claim.claim(s, open(20, batch), batch, new Long[0]));
        }
        assertEquals(expected, claimed.stream().map(Job::id).toList(),
                "the best 50 served jobs, those inside the bound and those the top-up found past it, in claim order");
        assertTrue(claimed.stream().anyMatch(j -> j.priority() == 20) && claimed.stream().anyMatch(j -> j.priority() < 10),
                "both sides of the foreign backlog");
        for (Job j : claimed) {
            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked), jobs.logStatuses(j.id()),
                    "one picked log row for job " + j.id());
        }
        assertEquals(0, jobs.dsl().fetchCount(PGQUEUER, PGQUEUER.ENTRYPOINT.eq(FOREIGN)
                .and(PGQUEUER.STATUS.ne(PgqueuerStatus.queued))), "the foreign backlog is left alone");
    }

    @Test
    void afterACutClaimTheNextClaimsSkipTheSharedScanThenTryItAgain() throws SQLException {
        int batch = 4;
        List<NewJob> served = new ArrayList<>();
        for (int i = 0; i < 20 * (ClaimQuery.CLAIMS_AFTER_A_CUT + 2) * batch; i++) {
            served.add(NewJob.builder(ep(i % 20)).priority(i % 5).build());
        }
        enqueue(served);
        foreignBacklog(batch, 10);
        try (DedicatedConnection mine = connection()) {
            for (int k = 0; k <= ClaimQuery.CLAIMS_AFTER_A_CUT + 1; k++) {
                List<Long> expected = servedInClaimOrder().subList(0, batch);
                int before = claim.claimsBeforeSharedScan();
                List<Job> claimed = mine.jdbc(s -> claim.claim(s, open(20, batch), batch, new Long[0]));
                assertEquals(expected, claimed.stream().map(Job::id).toList(), "claim " + k);
                // the first claim and the one after the skipped ones meet the backlog in the shared scan
                assertEquals(before == 0 ? ClaimQuery.CLAIMS_AFTER_A_CUT : before - 1, claim.claimsBeforeSharedScan(),
                        "claim " + k);
            }
        }
    }

    @Test
    void theTopUpAlsoFollowsAWriteOfOutcomes() throws SQLException {
        int batch = 10;
        List<NewJob> served = new ArrayList<>();
        for (int i = 0; i < 3 * ClaimQuery.SHARED_SCAN_MIN; i++) {
            served.add(NewJob.builder(ep(i % ClaimQuery.SHARED_SCAN_MIN)).build());
        }
        served.add(NewJob.builder("limited").priority(1).build());
        served.add(NewJob.builder("limited").priority(1).build());
        enqueue(served);
        foreignBacklog(batch, 10);
        List<ClaimQuery.Part> parts = new ArrayList<>(open(ClaimQuery.SHARED_SCAN_MIN, batch));
        parts.add(new ClaimQuery.Part("limited", 1, batch, STALE_AFTER));
        try (DedicatedConnection mine = connection()) {
            List<Job> first = mine.jdbc(s -> claim.claim(s, parts, batch, new Long[0]));
            assertEquals(batch, first.size());
            assertEquals(1, first.stream().filter(j -> j.entrypoint().equals("limited")).count(), "a limit of one");
            List<Long> expected = servedInClaimOrder().stream()
                    .filter(id -> !jobs.dsl().fetchExists(PGQUEUER, PGQUEUER.ID.eq(id).and(PGQUEUER.ENTRYPOINT.eq("limited"))))
                    .limit(batch).toList();
            Job limited = first.stream().filter(j -> j.entrypoint().equals("limited")).findFirst().orElseThrow();
            List<CompleteQuery.Outcome> done = List.of(new CompleteQuery.Outcome(limited.id(), PgqueuerStatus.successful, null));
            // a claim query that has not met the backlog yet: its shared scan is cut, the top-up follows the write
            ClaimQuery fresh = new ClaimQuery(UUID.randomUUID(), PgqueuerNames.defaults());
            List<Job> second = mine.jdbc(s -> fresh.completeAndClaim(s, new CompleteQuery(), done, parts, batch, new Long[0]));
            assertEquals(ClaimQuery.CLAIMS_AFTER_A_CUT, fresh.claimsBeforeSharedScan(), "the shared scan was cut");
            assertEquals(batch, second.size(), "the slot the write freed and the open entrypoints' rows past the bound");
            assertEquals("limited", second.getFirst().entrypoint(), "the best job first");
            assertEquals(expected.subList(0, batch - 1), second.stream().skip(1).map(Job::id).toList());
        }
    }

    @Test
    void theSharedScanStartsAtTheThresholdOfOpenEntrypoints() throws SQLException {
        int batch = 20;
        int below = ClaimQuery.SHARED_SCAN_MIN - 1;
        assertFalse(ClaimQuery.sharesScan(open(below, batch), batch, true), below + " open entrypoints: a scan each");
        assertTrue(ClaimQuery.sharesScan(open(below + 1, batch), batch, true), (below + 1) + ": one shared scan");
        // neither a limited entrypoint nor one whose rate tokens are short of the claim counts
        List<ClaimQuery.Part> mixed = new ArrayList<>(open(below, batch));
        mixed.add(new ClaimQuery.Part("limited", 2, batch, STALE_AFTER));
        mixed.add(new ClaimQuery.Part("rated", 0, batch - 1, STALE_AFTER));
        assertFalse(ClaimQuery.sharesScan(mixed, batch, true));
        mixed.add(new ClaimQuery.Part("tokens_enough", 0, batch, STALE_AFTER));
        assertTrue(ClaimQuery.sharesScan(mixed, batch, true));

        // on both sides of the threshold, a claim over the same rows takes the same best jobs in claim order
        List<NewJob> served = new ArrayList<>();
        for (int i = 0; i < 4 * ClaimQuery.SHARED_SCAN_MIN; i++) {
            served.add(NewJob.builder(ep(i % ClaimQuery.SHARED_SCAN_MIN)).priority(i % 7).build());
        }
        enqueue(served);
        foreignBacklog(batch, 3);
        try (DedicatedConnection mine = connection()) {
            for (int count : List.of(below, below + 1)) {
                List<Long> expected = jobs.dsl().select(PGQUEUER.ID).from(PGQUEUER)
                        .where(PGQUEUER.ENTRYPOINT.in(open(count, batch).stream().map(ClaimQuery.Part::entrypoint).toList()),
                                PGQUEUER.STATUS.eq(PgqueuerStatus.queued))
                        .orderBy(PGQUEUER.PRIORITY.desc(), PGQUEUER.ID.asc()).limit(5).fetch(PGQUEUER.ID);
                List<Job> claimed = mine.jdbc(s -> claim.claim(s, open(count, batch), 5, new Long[0]));
                assertEquals(expected, claimed.stream().map(Job::id).toList(), count + " open entrypoints");
            }
        }
    }
}
