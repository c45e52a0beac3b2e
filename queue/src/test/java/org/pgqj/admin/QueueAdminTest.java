package org.pgqj.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;
import static org.pgqj.codegen.Tables.PGQUEUER_STATISTICS;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.core.JobStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.MigratedQueueTest;
import org.pgqj.worker.TestJobs;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

@MigratedQueueTest
class QueueAdminTest {

    private static final QueueTables TABLES = QueueTables.defaults();
    private static final JobQueue QUEUE = JobQueue.create(TABLES);
    private static final QueueAdmin ADMIN = QueueAdmin.create(TABLES);

    private DSLContext db;

    @BeforeEach
    void clean(TestJobs jobs) {
        db = jobs.dsl();
        db.deleteFrom(PGQUEUER_STATISTICS).execute();
    }

    private long enqueue(String entrypoint, int priority) {
        return QUEUE.enqueue(db, NewJob.builder(entrypoint).priority(priority).build());
    }

    /** What a worker does on completion: delete the row and log the status, one statement. */
    private void complete(DSLContext dsl, long id, PgqueuerStatus status) {
        var deleted = DSL.name("d").as(dsl.deleteFrom(PGQUEUER).where(PGQUEUER.ID.eq(id))
                .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
        dsl.with(deleted).insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT,
                        PGQUEUER_LOG.PRIORITY)
                .select(DSL.select(DSL.field(DSL.name("id"), Long.class), DSL.val(status, PGQUEUER_LOG.STATUS),
                        DSL.field(DSL.name("entrypoint"), String.class), DSL.field(DSL.name("priority"), Integer.class))
                        .from(deleted))
                .execute();
    }

    /** What a worker does with on-failure=hold. */
    private void hold(long id) {
        db.update(PGQUEUER).set(PGQUEUER.STATUS, PgqueuerStatus.failed).set(PGQUEUER.ATTEMPTS, 3)
                .where(PGQUEUER.ID.eq(id)).execute();
        var job = db.selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne();
        db.insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY)
                .values(id, PgqueuerStatus.failed, job.getEntrypoint(), job.getPriority()).execute();
    }

    @Test
    void queueSizeCountsPerEntrypointPriorityAndStatus() {
        enqueue("a", 0);
        enqueue("a", 0);
        enqueue("a", 5);
        long picked = enqueue("b", 1);
        db.update(PGQUEUER).set(PGQUEUER.STATUS, PgqueuerStatus.picked).where(PGQUEUER.ID.eq(picked)).execute();
        assertEquals(List.of(
                new QueueSize("a", 0, JobStatus.QUEUED, 2),
                new QueueSize("a", 5, JobStatus.QUEUED, 1),
                new QueueSize("b", 1, JobStatus.PICKED, 1)), ADMIN.queueSize(db));
    }

    @Test
    void jobStatusIsTheLatestLogRow() {
        long done = enqueue("a", 0);
        long waiting = enqueue("a", 0);
        complete(db, done, PgqueuerStatus.successful);
        assertEquals(Map.of(done, JobStatus.SUCCESSFUL, waiting, JobStatus.QUEUED),
                ADMIN.jobStatuses(db, List.of(done, waiting, 999_999L)));
        assertEquals(Map.of(), ADMIN.jobStatuses(db, List.of()));
    }

    @Test
    void heldJobsAreListedAndRequeued() {
        long held = enqueue("fragile", 2);
        long queued = enqueue("fragile", 2);
        hold(held);
        List<Job> failed = ADMIN.failedJobs(db, 10);
        assertEquals(1, failed.size());
        assertEquals(held, failed.getFirst().id());
        assertEquals(JobStatus.FAILED, failed.getFirst().status());

        assertEquals(List.of(held), ADMIN.requeue(db, List.of(held, queued)));
        var row = db.selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(held)).fetchOne();
        assertEquals(PgqueuerStatus.queued, row.getStatus());
        assertEquals(0, row.getAttempts());
        assertTrue(db.fetchExists(PGQUEUER, PGQUEUER.ID.eq(held)
                .and(PGQUEUER.EXECUTE_AFTER.le(DSL.currentOffsetDateTime()))));
        assertEquals(JobStatus.QUEUED, ADMIN.jobStatuses(db, List.of(held)).get(held));
        assertEquals(List.of(), ADMIN.failedJobs(db, 10));
        assertEquals(List.of(), ADMIN.requeue(db, List.of(held)), "not held any more");
    }

    @Test
    void cancelDeletesOrLeavesToTheLiveWorkerAndNotifiesTheIdsOnCommit(TestDatabase database) throws Exception {
        long a = enqueue("slow", 0);
        long b = enqueue("slow", 0);
        // b was picked by a worker that died (stale heartbeat): nobody will record its outcome, so it goes now
        db.update(PGQUEUER).set(PGQUEUER.STATUS, PgqueuerStatus.picked)
                .set(PGQUEUER.HEARTBEAT, OffsetDateTime.now().minusMinutes(5)).where(PGQUEUER.ID.eq(b)).execute();
        // c runs on a live worker (pgqueuer 2.0): its row stays, for that worker to record the cancel
        long c = enqueue("slow", 0);
        db.update(PGQUEUER).set(PGQUEUER.STATUS, PgqueuerStatus.picked).where(PGQUEUER.ID.eq(c)).execute();
        long untouched = enqueue("slow", 0);
        try (Connection worker = database.connect()) {
            try (Statement st = worker.createStatement()) {
                st.execute("LISTEN ch_pgqueuer"); // jOOQ has no LISTEN statement
            }
            PGConnection pg = worker.unwrap(PGConnection.class);
            drain(pg);
            DSLContext app = DSL.using(database.dataSource(), SQLDialect.POSTGRES);
            List<Long> canceled = app.transactionResult(trx -> ADMIN.cancel(trx.dsl(), List.of(a, b, c, 424242L)));
            assertEquals(Set.of(a, b, c), Set.copyOf(canceled));

            JsonNode event = awaitEvent(pg, "cancellation_event");
            List<String> keys = new ArrayList<>();
            event.fieldNames().forEachRemaining(keys::add);
            assertEquals(List.of("channel", "sent_at", "type", "received_at", "ids"), keys);
            assertEquals("ch_pgqueuer", event.get("channel").asText());
            OffsetDateTime.parse(event.get("sent_at").asText()); // ISO-8601 with offset
            OffsetDateTime.parse(event.get("received_at").asText());
            List<Long> ids = new ArrayList<>();
            event.get("ids").forEach(n -> ids.add(n.asLong()));
            assertEquals(List.of(a, b, c, 424242L), ids);
        }
        assertEquals(Map.of(a, JobStatus.CANCELED, b, JobStatus.CANCELED, untouched, JobStatus.QUEUED),
                ADMIN.jobStatuses(db, List.of(a, b, untouched)));
        assertFalse(db.fetchExists(PGQUEUER, PGQUEUER.ID.in(a, b)));
        assertEquals(PgqueuerStatus.picked, db.select(PGQUEUER.STATUS).from(PGQUEUER).where(PGQUEUER.ID.eq(c)).fetchOne().value1(),
                "a job with a live worker stays picked until that worker records the cancel");
    }

    @Test
    void cancelCountsAWorkerAliveWithinTheHeartbeatTimeoutInUse() {
        long quiet = enqueue("slow", 0);
        // picked 10 s ago and not heard from since: alive for workers with the default 30 s timeout
        db.update(PGQUEUER).set(PGQUEUER.STATUS, PgqueuerStatus.picked)
                .set(PGQUEUER.HEARTBEAT, OffsetDateTime.now().minusSeconds(10)).where(PGQUEUER.ID.eq(quiet)).execute();
        assertEquals(List.of(quiet), ADMIN.cancel(db, List.of(quiet)));
        assertTrue(db.fetchExists(PGQUEUER, PGQUEUER.ID.eq(quiet)), "left to its worker");
        // dead for workers with a 5 s timeout, whose claims re-pick it already: deleted at once
        QueueAdmin fiveSeconds = ADMIN.heartbeatTimeout(Duration.ofSeconds(5));
        assertEquals(Duration.ofSeconds(5), fiveSeconds.heartbeatTimeout());
        assertEquals(QueueAdmin.DEFAULT_HEARTBEAT_TIMEOUT, ADMIN.heartbeatTimeout(), "a copy, the original unchanged");
        assertEquals(List.of(quiet), fiveSeconds.cancel(db, List.of(quiet)));
        assertFalse(db.fetchExists(PGQUEUER, PGQUEUER.ID.eq(quiet)));
        assertEquals(JobStatus.CANCELED, ADMIN.jobStatuses(db, List.of(quiet)).get(quiet));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ADMIN.heartbeatTimeout(Duration.ZERO));
        assertTrue(e.getMessage().contains("heartbeatTimeout must be positive (got PT0S)"), e.getMessage());
    }

    private static void drain(PGConnection pg) throws Exception {
        pg.getNotifications(1);
    }

    private static JsonNode awaitEvent(PGConnection pg, String type) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            PGNotification[] batch = pg.getNotifications(500);
            if (batch == null) {
                continue;
            }
            for (PGNotification n : batch) {
                JsonNode json = new ObjectMapper().readTree(n.getParameter());
                if (type.equals(json.get("type").asText())) {
                    return json;
                }
            }
        }
        throw new AssertionError("no " + type + " within 10 s");
    }

    @Test
    void clearByEntrypointAndAllLogDeleted() {
        long a1 = enqueue("a", 0);
        long a2 = enqueue("a", 0);
        long b = enqueue("b", 0);
        long c = enqueue("c", 0);
        assertEquals(2, ADMIN.clear(db, List.of("a", "nobody")));
        assertEquals(Map.of(a1, JobStatus.DELETED, a2, JobStatus.DELETED, b, JobStatus.QUEUED),
                ADMIN.jobStatuses(db, List.of(a1, a2, b)));
        assertEquals(2, ADMIN.clearAll(db));
        assertEquals(0, db.fetchCount(PGQUEUER));
        assertEquals(JobStatus.DELETED, ADMIN.jobStatuses(db, List.of(c)).get(c));
        assertThrows(IllegalArgumentException.class, () -> ADMIN.clear(db, List.of(" ")));
    }

    @Test
    void aggregationFoldsLogRowsIntoStatisticsOnceAndHonoursTheLock(TestDatabase database) throws Exception {
        for (int i = 0; i < 3; i++) {
            enqueue("stats", 1);
        }
        enqueue("other", 0);
        StatisticsAggregation aggregation = StatisticsAggregation.of(TABLES);
        assertEquals("pgqueuer_statistics", TABLES.names().statisticsLockName());

        try (Connection holder = database.connect()) {
            holder.setAutoCommit(false);
            try (var st = holder.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
                st.setString(1, TABLES.names().statisticsLockName());
                st.execute();
            }
            assertEquals(0, aggregation.aggregate(db), "another session holds the lock");
            holder.rollback();
        }
        // one statistics row per (entrypoint, priority, status, second): usually 2, more if the
        // enqueues above straddled a second boundary
        int groups = db.fetchCount(db.selectDistinct(PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.STATUS,
                DSL.function("date_trunc", OffsetDateTime.class, DSL.inline("sec"),
                        PGQUEUER_LOG.CREATED)).from(PGQUEUER_LOG).where(PGQUEUER_LOG.AGGREGATED.isFalse()));
        assertTrue(groups >= 2, "groups " + groups);
        assertEquals(groups, aggregation.aggregate(db));
        assertEquals(0, aggregation.aggregate(db), "log rows are marked aggregated");

        List<StatisticsEntry> stats = ADMIN.statistics(db, 10, Duration.ZERO);
        assertEquals(groups, stats.size());
        List<StatisticsEntry> ofStats = stats.stream().filter(e -> e.entrypoint().equals("stats")).toList();
        assertEquals(3, ofStats.stream().mapToLong(StatisticsEntry::count).sum());
        StatisticsEntry s = ofStats.get(0);
        assertEquals(1, s.priority());
        assertEquals(JobStatus.QUEUED, s.status());
        assertEquals(groups, ADMIN.statistics(db, 10, Duration.ofMinutes(5)).size());

        enqueue("stats", 1); // same second (very likely) or a new one: the count adds up either way
        aggregation.aggregate(db);
        long total = ADMIN.statistics(db, 10, Duration.ZERO).stream().filter(e -> e.entrypoint().equals("stats"))
                .mapToLong(StatisticsEntry::count).sum();
        assertEquals(4, total);
    }

    @Test
    void aggregationAddsToTheRowOfTheSameSecond() {
        // log rows of one (entrypoint, priority, status) in the same second, aggregated in two rounds:
        // the second round must add to the existing statistics row (ON CONFLICT ... count + excluded.count)
        OffsetDateTime second = OffsetDateTime.parse("2026-01-02T03:04:05Z");
        logRows("folded", 2, second.plusNanos(100_000_000));
        StatisticsAggregation aggregation = StatisticsAggregation.of(TABLES);
        assertEquals(1, aggregation.aggregate(db));
        logRows("folded", 3, second.plusNanos(700_000_000));
        assertEquals(1, aggregation.aggregate(db));

        var rows = db.select(PGQUEUER_STATISTICS.COUNT, PGQUEUER_STATISTICS.CREATED).from(PGQUEUER_STATISTICS)
                .where(PGQUEUER_STATISTICS.ENTRYPOINT.eq("folded")).fetch();
        assertEquals(1, rows.size(), "one row per second: " + rows);
        assertEquals(5L, rows.getFirst().value1());
        assertEquals(second.toInstant(), rows.getFirst().value2().toInstant());
    }

    private void logRows(String entrypoint, int count, OffsetDateTime created) {
        for (int i = 0; i < count; i++) {
            db.insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT,
                            PGQUEUER_LOG.PRIORITY, PGQUEUER_LOG.CREATED)
                    .values(DSL.val(1_000L + i), DSL.inline(PgqueuerStatus.successful, PGQUEUER_LOG.STATUS),
                            DSL.val(entrypoint), DSL.val(0), DSL.val(created))
                    .execute();
        }
    }

    @Test
    void waitForCompletionWakesOnNotify(TestDatabase database) throws Exception {
        long first = enqueue("work", 0);
        long second = enqueue("work", 0);
        DSLContext workerDsl = TABLES.dsl(database.dataSource());
        CompletableFuture<Void> worker = CompletableFuture.runAsync(() -> {
            sleepQuietly(200);
            workerDsl.transaction(trx -> complete(TABLES.dsl(trx.dsl()), first, PgqueuerStatus.successful));
            workerDsl.transaction(trx -> complete(TABLES.dsl(trx.dsl()), second, PgqueuerStatus.exception));
        });
        // the poll fallback is far longer than the timeout: without NOTIFY the wait would only end at
        // the deadline (and then still see both jobs done), so the test checks it ended well before
        long start = System.nanoTime();
        CompletionResult result = ADMIN.waitForCompletion(database.dataSource(), List.of(first, second),
                Duration.ofSeconds(30), Duration.ofMinutes(5));
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        worker.get(10, TimeUnit.SECONDS);
        assertTrue(waited.compareTo(Duration.ofSeconds(25)) < 0, "woken by the deadline, not by NOTIFY: " + waited);
        assertTrue(result.isComplete(), result.toString());
        assertEquals(Map.of(first, JobStatus.SUCCESSFUL, second, JobStatus.EXCEPTION), result.finished());
    }

    @Test
    void waitForCompletionFallsBackToPollingAndTimesOutCleanly(TestDatabase database) {
        long unseen = enqueue("work", 0);
        long never = enqueue("work", 0);
        // a log row alone sends no NOTIFY (the trigger is on the queue table); the poll must find it
        db.insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY)
                .values(unseen, PgqueuerStatus.successful, "work", 0).execute();
        CompletionResult result = ADMIN.waitForCompletion(database.dataSource(), List.of(unseen, never),
                Duration.ofMillis(400), Duration.ofMillis(100));
        assertFalse(result.isComplete());
        assertEquals(Map.of(unseen, JobStatus.SUCCESSFUL), result.finished());
        assertEquals(Set.of(never), result.pending());
        assertThrows(IllegalArgumentException.class,
                () -> ADMIN.waitForCompletion(database.dataSource(), List.of(never), Duration.ZERO));
    }

    @Test
    void waitForCompletionHandsAPooledConnectionBackWithoutItsListen(TestDatabase database) throws Exception {
        long id = enqueue("work", 0);
        complete(db, id, PgqueuerStatus.successful);
        try (Connection shared = database.connect()) {
            // a one-connection "pool": close() is ignored, as a pool keeps the connection open
            Connection pooled = (Connection) java.lang.reflect.Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> method.getName().equals("close")
                            ? null : invoke(method, shared, args));
            javax.sql.DataSource pool = (javax.sql.DataSource) java.lang.reflect.Proxy.newProxyInstance(
                    getClass().getClassLoader(), new Class<?>[] {javax.sql.DataSource.class},
                    (proxy, method, args) -> method.getName().equals("getConnection") ? pooled : null);
            assertTrue(ADMIN.waitForCompletion(pool, List.of(id), Duration.ofSeconds(5)).isComplete());
            try (Statement st = shared.createStatement();
                 var rs = st.executeQuery("SELECT count(*) FROM pg_listening_channels()")) {
                rs.next();
                assertEquals(0, rs.getInt(1));
            }
        }
    }

    private static Object invoke(java.lang.reflect.Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw e.getCause();
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis); // lets the waiter reach getNotifications; the test does not depend on it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
