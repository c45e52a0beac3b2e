package org.pgqj.internal.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
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
 * The claim's guarantees when a worker registers many entrypoints (issue 32): one claim takes the best due jobs
 * across all of them in priority order, locks no row it does not take, passes rows another claim holds, hands
 * each limited entrypoint only its free slots, re-claims stale rows of any of them (never owned ones), logs one
 * {@code picked} row per job, and takes no more of a rate-limited entrypoint than its tokens.
 */
@MigratedQueueTest
class ManyEntrypointsClaimTest {

    private static final int ENTRYPOINTS = 40;
    private static final Duration STALE_AFTER = Duration.ofMinutes(5);

    private TestDatabase db;
    private TestJobs jobs;
    private final ClaimQuery claim = new ClaimQuery(UUID.randomUUID(), PgqueuerNames.defaults());

    @BeforeEach
    void install(TestDatabase db, TestJobs jobs) {
        this.db = db;
        this.jobs = jobs;
    }

    private static String ep(int i) {
        return "ep_" + i;
    }

    /** Every entrypoint, each with {@code take} and the limit {@code limit.apply(i)}. */
    private static List<ClaimQuery.Part> parts(int take, IntFunction<Integer> limit) {
        List<ClaimQuery.Part> parts = new ArrayList<>();
        for (int i = 0; i < ENTRYPOINTS; i++) {
            parts.add(new ClaimQuery.Part(ep(i), limit.apply(i), take, STALE_AFTER));
        }
        return parts;
    }

    /** Enqueues {@code batch} in one statement (one connection); the ids in order. */
    private List<Long> enqueue(List<NewJob> batch) throws SQLException {
        try (Connection c = db.connect()) {
            return JobQueue.create(QueueTables.defaults()).enqueueAll(QueueTables.defaults().dsl(DSL.using(c, SQLDialect.POSTGRES)), batch);
        }
    }

    private static NewJob job(int entrypoint, int priority) {
        return NewJob.builder(ep(entrypoint)).priority(priority).build();
    }

    private DedicatedConnection connection() {
        return new DedicatedConnection(db.dataSource(), QueueTables.defaults(), PgqjException::new);
    }

    @Test
    void takesTheBestDueJobsAcrossEntrypointsInPriorityOrder() throws SQLException {
        List<NewJob> batch = new ArrayList<>();
        for (int i = 0; i < ENTRYPOINTS; i++) {
            batch.add(job(i, (i * 7) % 11));
            batch.add(job(i, i % 5));
            batch.add(job(i, 0));
            if (i % 4 == 0) {
                batch.add(job(i, 100).toBuilder().delay(Duration.ofHours(1)).build()); // the best, but not due
            }
        }
        enqueue(batch);
        List<Long> due = jobs.dsl().select(PGQUEUER.ID).from(PGQUEUER)
                .where(PGQUEUER.EXECUTE_AFTER.le(OffsetDateTime.now()))
                .orderBy(PGQUEUER.PRIORITY.desc(), PGQUEUER.ID.asc()).fetch(PGQUEUER.ID);
        assertEquals(3 * ENTRYPOINTS, due.size());
        try (DedicatedConnection mine = connection()) {
            List<ClaimQuery.Part> parts = parts(25, i -> 0);
            List<Job> first = mine.jdbc(s -> claim.claim(s, parts, 25, new Long[0]));
            assertEquals(due.subList(0, 25), ids(first), "the 25 best due jobs of all 40 entrypoints, best first");
            List<Job> second = mine.jdbc(s -> claim.claim(s, parts, 25, new Long[0]));
            assertEquals(due.subList(25, 50), ids(second), "then the next 25");
            for (Job j : first) {
                assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked), jobs.logStatuses(j.id()),
                        "one picked log row for job " + j.id());
            }
        }
        assertEquals(ENTRYPOINTS / 4, jobs.dsl().fetchCount(PGQUEUER, PGQUEUER.PRIORITY.eq(100)
                .and(PGQUEUER.STATUS.eq(PgqueuerStatus.queued))), "jobs not yet due stay queued");
    }

    @Test
    void aClaimLocksOnlyTheRowsItTakes() throws Exception {
        List<NewJob> batch = new ArrayList<>();
        for (int i = 0; i < ENTRYPOINTS * 50; i++) {
            batch.add(job(i % ENTRYPOINTS, 0));
        }
        enqueue(batch);
        try (DedicatedConnection mine = connection(); Connection probe = db.connect()) {
            int locked = mine.jdbc(s -> {
                s.connection().setAutoCommit(false);
                try {
                    assertEquals(30, claim.claim(s, parts(30, i -> 0), 30, new Long[0]).size());
                    return lockedRows(probe);
                } finally {
                    s.connection().rollback();
                    s.connection().setAutoCommit(true);
                }
            });
            // the claim before issue 32 locked each entrypoint's best 30 rows (1,200) to keep 30 of them
            assertEquals(30, locked, "rows locked by a claim of 30 over 40 entrypoints of 50 jobs each");
        }
    }

    /** Rows of the queue another transaction holds: those a SKIP LOCKED read of every row does not return. */
    private static int lockedRows(Connection probe) throws SQLException {
        try (Statement st = probe.createStatement();
             ResultSet all = st.executeQuery("SELECT count(*) FROM pgqueuer")) {
            all.next();
            int rows = all.getInt(1);
            try (ResultSet free = st.executeQuery("SELECT count(*) FROM (SELECT id FROM pgqueuer FOR UPDATE SKIP LOCKED) f")) {
                free.next();
                return rows - free.getInt(1);
            }
        }
    }

    @Test
    void aSecondClaimPassesTheRowsTheFirstHoldsAndTakesTheNextBest() throws Exception {
        List<NewJob> batch = new ArrayList<>();
        for (int i = 0; i < 3 * 40; i++) {
            batch.add(job(i / 40, 0)); // ep_0's forty first, then ep_1's, then ep_2's
        }
        enqueue(batch);
        List<Long> due = jobs.dsl().select(PGQUEUER.ID).from(PGQUEUER)
                .orderBy(PGQUEUER.PRIORITY.desc(), PGQUEUER.ID.asc()).fetch(PGQUEUER.ID);
        ClaimQuery other = new ClaimQuery(UUID.randomUUID(), PgqueuerNames.defaults());
        try (DedicatedConnection first = connection(); DedicatedConnection second = connection()) {
            List<Job> held = first.jdbc(s -> {
                s.connection().setAutoCommit(false);
                return claim.claim(s, parts(30, i -> 0), 30, new Long[0]);
            });
            assertEquals(due.subList(0, 30), ids(held));
            // the first claim is not committed: its rows still look queued to the second, which must not wait
            List<Job> next = CompletableFuture.supplyAsync(() -> second.jdbc(s -> other.claim(s, parts(30, i -> 0), 30, new Long[0])))
                    .get(10, TimeUnit.SECONDS);
            assertEquals(due.subList(30, 60), ids(next), "the next 30, none of the first claim's");
            first.jdbc(s -> {
                s.connection().commit();
                s.connection().setAutoCommit(true);
                return null;
            });
        }
        Set<Long> picked = new HashSet<>(jobs.dsl().select(PGQUEUER.ID).from(PGQUEUER)
                .where(PGQUEUER.STATUS.eq(PgqueuerStatus.picked)).fetch(PGQUEUER.ID));
        assertEquals(new HashSet<>(due.subList(0, 60)), picked, "each picked once, by one of the claims");
    }

    @Test
    void manyLimitedEntrypointsGetOnlyTheirFreeSlots() throws SQLException {
        // even entrypoints limited to 2, odd ones unlimited; 4 jobs each
        IntFunction<Integer> limit = i -> i % 2 == 0 ? 2 : 0;
        List<NewJob> batch = new ArrayList<>();
        for (int i = 0; i < ENTRYPOINTS; i++) {
            for (int k = 0; k < 4; k++) {
                batch.add(job(i, k)); // the later, the better
            }
        }
        // ep_4: slot 0 held by a job running elsewhere; ep_6: slot 1 held by another worker's job gone stale
        batch.add(job(4, 0));
        batch.add(job(6, 0));
        List<Long> ids = enqueue(batch);
        long running = ids.get(ids.size() - 2);
        pick(running, 0, OffsetDateTime.now());
        long stale = ids.getLast();
        pick(stale, 1, OffsetDateTime.now().minusHours(1));

        List<Job> claimed;
        try (DedicatedConnection mine = connection()) {
            claimed = mine.jdbc(s -> claim.claim(s, parts(500, limit), 500, new Long[0]));
        }
        Map<String, List<Job>> byEntrypoint = claimed.stream().collect(Collectors.groupingBy(Job::entrypoint, TreeMap::new,
                Collectors.toList()));
        for (int i = 0; i < ENTRYPOINTS; i++) {
            List<Job> got = byEntrypoint.getOrDefault(ep(i), List.of());
            Set<Optional<Long>> slots = got.stream().map(Job::slot).collect(Collectors.toSet());
            if (i % 2 == 1) {
                assertEquals(4, got.size(), ep(i) + " (unlimited) takes all four");
                assertEquals(Set.of(Optional.<Long>empty()), slots, ep(i) + " holds no slot");
            } else if (i == 4) {
                assertEquals(1, got.size(), "ep_4: one free slot");
                assertEquals(Set.of(Optional.of(1L)), slots);
                assertEquals(3, got.getFirst().priority(), "the best job takes it");
            } else if (i == 6) {
                assertEquals(2, got.size(), "ep_6: its stale job (keeping slot 1) and one fresh job in slot 0");
                assertTrue(got.stream().anyMatch(j -> j.id() == stale && j.slot().equals(Optional.of(1L))), got::toString);
                assertTrue(got.stream().anyMatch(j -> j.id() != stale && j.slot().equals(Optional.of(0L))
                        && j.priority() == 3), got::toString);
            } else {
                assertEquals(2, got.size(), ep(i) + " (limit 2) takes two");
                assertEquals(Set.of(Optional.of(0L), Optional.of(1L)), slots);
                assertEquals(Set.of(3, 2), got.stream().map(Job::priority).collect(Collectors.toSet()),
                        ep(i) + ": its two best jobs");
            }
        }
        for (int i = 0; i < ENTRYPOINTS; i += 2) {
            assertTrue(jobs.dsl().fetchCount(PGQUEUER, PGQUEUER.ENTRYPOINT.eq(ep(i))
                    .and(PGQUEUER.STATUS.eq(PgqueuerStatus.picked))) <= 2, ep(i) + " never above its limit");
        }
    }

    @Test
    void staleRowsOfAnyEntrypointAreReclaimedButNotOwnedOrLiveOnes() throws SQLException {
        List<NewJob> batch = new ArrayList<>();
        for (int i = 0; i < ENTRYPOINTS; i++) {
            batch.add(job(i, 0));
        }
        batch.addAll(List.of(job(7, 5), job(33, 1), job(21, 9), job(12, 9)));
        List<Long> ids0 = enqueue(batch);
        long staleA = ids0.get(ENTRYPOINTS);
        long staleB = ids0.get(ENTRYPOINTS + 1);
        long owned = ids0.get(ENTRYPOINTS + 2);
        long live = ids0.get(ENTRYPOINTS + 3);
        OffsetDateTime hourAgo = OffsetDateTime.now().minusHours(1);
        pick(staleA, null, hourAgo);
        pick(staleB, null, hourAgo);
        pick(owned, null, hourAgo); // ours: still running here, its heartbeat merely late
        pick(live, null, OffsetDateTime.now());

        List<Job> claimed;
        try (DedicatedConnection mine = connection()) {
            claimed = mine.jdbc(s -> claim.claim(s, parts(100, i -> 0), 100, new Long[] {owned}));
        }
        List<Long> ids = ids(claimed);
        assertEquals(ENTRYPOINTS + 2, ids.size());
        assertEquals(staleA, ids.getFirst(), "priority order holds for re-claimed rows too");
        assertEquals(staleB, ids.get(1));
        assertFalse(ids.contains(owned), "an owned row is never re-claimed");
        assertFalse(ids.contains(live), "a row with a live heartbeat is not stale");
        for (long id : List.of(staleA, staleB)) {
            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked), jobs.logStatuses(id),
                    "a re-claim logs one picked row (the first pick of this test wrote none)");
        }
    }

    @Test
    void claimsExactlyTheBatchWhenBatchesShareAStatement() throws Exception {
        List<NewJob> batch = new ArrayList<>();
        for (int i = 0; i < ENTRYPOINTS * 3; i++) {
            batch.add(job(i % ENTRYPOINTS, 0));
        }
        List<Long> ids = enqueue(batch);
        try (DedicatedConnection mine = connection(); Connection probe = db.connect()) {
            int taken = 0;
            // 5 and 7 share one statement (a claim's text is per power of two above its batch)
            for (int size : List.of(3, 5, 7, 1)) {
                int from = taken;
                List<Job> claimed = mine.jdbc(s -> claim.claim(s, parts(size, i -> 0), size, new Long[0]));
                assertEquals(ids.subList(from, from + size), ids(claimed), "a claim of " + size);
                taken += size;
            }
            int locked = mine.jdbc(s -> {
                s.connection().setAutoCommit(false);
                try {
                    assertEquals(6, claim.claim(s, parts(6, i -> 0), 6, new Long[0]).size());
                    return lockedRows(probe);
                } finally {
                    s.connection().rollback();
                    s.connection().setAutoCommit(true);
                }
            });
            assertEquals(6, locked, "a claim of 6 (its statement's limit is 8) locks 6 rows");
        }
    }

    @Test
    void aRateLimitedEntrypointTakesNoMoreThanItsTokens() throws SQLException {
        List<NewJob> batch = new ArrayList<>();
        for (int i = 0; i < ENTRYPOINTS; i++) {
            for (int k = 0; k < 5; k++) {
                batch.add(job(i, i == 0 ? 10 : 0));
            }
        }
        enqueue(batch);
        List<ClaimQuery.Part> parts = new ArrayList<>(parts(50, i -> 0));
        parts.set(0, new ClaimQuery.Part(ep(0), 0, 2, STALE_AFTER)); // two tokens left
        List<Job> claimed;
        try (DedicatedConnection mine = connection()) {
            claimed = mine.jdbc(s -> claim.claim(s, parts, 50, new Long[0]));
        }
        assertEquals(50, claimed.size());
        assertEquals(2, claimed.stream().filter(j -> j.entrypoint().equals(ep(0))).count(),
                "the best jobs are ep_0's, but it has two tokens");
    }

    private void pick(long id, Integer slot, OffsetDateTime heartbeat) {
        jobs.dsl().update(PGQUEUER)
                .set(PGQUEUER.STATUS, PgqueuerStatus.picked)
                .set(PGQUEUER.SLOT, slot == null ? null : slot.longValue())
                .set(PGQUEUER.HEARTBEAT, heartbeat)
                .set(PGQUEUER.QUEUE_MANAGER_ID, UUID.randomUUID())
                .where(PGQUEUER.ID.eq(id))
                .execute();
    }

    private static List<Long> ids(List<Job> claimed) {
        return claimed.stream().map(Job::id).toList();
    }
}
