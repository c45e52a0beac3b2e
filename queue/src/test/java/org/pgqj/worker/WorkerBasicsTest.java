package org.pgqj.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.payload.Entrypoint;
import org.pgqj.internal.sql.Cte;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/** Running jobs: Python-shaped rows, order, deferral, failures, retries, hold/requeue, typed payloads, shutdown. */
@MigratedQueueTest
class WorkerBasicsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestDatabase db;
    private TestJobs jobs;

    @Entrypoint("typed_greeting")
    record Greeting(String name, int times) {
    }

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    @BeforeEach
    void jobs(TestJobs jobs) {
        this.jobs = jobs;
    }

    @Test
    void pythonShapedRowIsRunAndLogged() throws Exception {
        List<String> seen = new CopyOnWriteArrayList<>();
        long id = jobs.enqueue("py_job", "{\"x\": 1}".getBytes(UTF_8));
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("py_job", EntrypointOptions.defaults(), (job, ctx) -> seen.add(new String(job.payload(), UTF_8)))
                .options(TestJobs.fastOptions().build()).build().start()) {
            assertTrue(w.awaitDrained(Duration.ofSeconds(10)));
        }
        assertEquals(List.of("{\"x\": 1}"), seen);
        assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.successful), jobs.logStatuses(id));
        assertEquals(0, jobs.queueCount());
    }

    @Test
    void priorityDescThenIdAsc() throws Exception {
        long low = jobs.enqueue("ordered", "1".getBytes(UTF_8), 0, Duration.ZERO, null);
        long high = jobs.enqueue("ordered", "2".getBytes(UTF_8), 10, Duration.ZERO, null);
        long high2 = jobs.enqueue("ordered", "3".getBytes(UTF_8), 10, Duration.ZERO, null);
        List<Long> order = Collections.synchronizedList(new ArrayList<>());
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("ordered", EntrypointOptions.defaults(), (job, ctx) -> order.add(job.id()))
                .options(WorkerOptions.builder().batchSize(1).maxConcurrentJobs(1).build()).build().start()) {
            assertTrue(w.awaitDrained(Duration.ofSeconds(10)));
        }
        assertEquals(List.of(high, high2, low), order);
    }

    @Test
    void executeAfterDefersTheJob() throws Exception {
        long started = System.nanoTime();
        CountDownLatch ran = new CountDownLatch(1);
        jobs.enqueue("later", new byte[0], 0, Duration.ofMillis(700), null);
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("later", EntrypointOptions.defaults(), (job, ctx) -> ran.countDown())
                .options(TestJobs.fastOptions().build()).build().start()) {
            assertTrue(ran.await(10, TimeUnit.SECONDS));
            long elapsedMs = (System.nanoTime() - started) / 1_000_000;
            assertTrue(elapsedMs >= 650, "ran after " + elapsedMs + " ms, before its execute_after");
        }
    }

    @Test
    void dedupeKeyIsUniqueAmongQueuedJobsAndTheWorkerRunsTheOne() throws Exception {
        jobs.enqueue("dedupe", new byte[0], 0, Duration.ZERO, "k1");
        assertThrows(org.jooq.exception.DataAccessException.class,
                () -> jobs.enqueue("dedupe", new byte[0], 0, Duration.ZERO, "k1"));
        List<Long> runs = new CopyOnWriteArrayList<>();
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("dedupe", EntrypointOptions.defaults(), (job, ctx) -> runs.add(job.id()))
                .options(TestJobs.fastOptions().build()).build().start()) {
            assertTrue(w.awaitDrained(Duration.ofSeconds(10)));
        }
        assertEquals(1, runs.size());
        jobs.enqueue("dedupe", new byte[0], 0, Duration.ZERO, "k1"); // free again once finished
    }

    @Test
    void exceptionIsLoggedWithTracebackJson() throws Exception {
        long id = jobs.enqueue("boom", new byte[0]);
        UUIDHolder worker = new UUIDHolder();
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("boom", EntrypointOptions.defaults(), (job, ctx) -> {
                    throw new IllegalStateException("kaput " + job.id());
                })
                .options(TestJobs.fastOptions().build()).build().start()) {
            worker.id = w.id().toString();
            assertTrue(w.awaitDrained(Duration.ofSeconds(10)));
        }
        assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.exception), jobs.logStatuses(id));
        JsonNode tb = traceback(id, PgqueuerStatus.exception);
        assertEquals(id, tb.get("job_id").asLong());
        assertEquals("IllegalStateException", tb.get("exception_type").asText());
        assertEquals("kaput " + id, tb.get("exception_message").asText());
        assertTrue(tb.get("traceback").asText().contains("WorkerBasicsTest"));
        assertTrue(tb.get("timestamp").asText().endsWith("Z"));
        assertEquals("boom", tb.get("additional_context").get("entrypoint").asText());
        assertEquals(worker.id, tb.get("additional_context").get("queue_manager_id").asText());
    }

    static final class UUIDHolder {
        volatile String id;
    }

    private JsonNode traceback(long id, PgqueuerStatus status) throws Exception {
        String json = jobs.dsl().select(PGQUEUER_LOG.TRACEBACK).from(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.JOB_ID.eq(id), PGQUEUER_LOG.STATUS.eq(status))
                .orderBy(PGQUEUER_LOG.ID.desc()).limit(1).fetchOne(PGQUEUER_LOG.TRACEBACK).data();
        return JSON.readTree(json);
    }

    @Test
    void typedPayloadIsDecodedAndAnUndecodableOneEndsAsException() throws Exception {
        List<Greeting> seen = new CopyOnWriteArrayList<>();
        jobs.enqueue("typed_greeting", "{\"name\":\"ada\",\"times\":2}".getBytes(UTF_8));
        long bad = jobs.enqueue("typed_greeting", "{\"name\":\"bob\",\"times\":\"many\"}".getBytes(UTF_8));
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint(Greeting.class, EntrypointOptions.builder().retryPolicy(RetryPolicy.exponentialBackoff()).build(),
                        (g, ctx) -> seen.add(g))
                .options(TestJobs.fastOptions().build()).build().start()) {
            assertTrue(w.awaitDrained(Duration.ofSeconds(10)));
            assertTrue(w.runningJobs() == 0);
        }
        assertEquals(List.of(new Greeting("ada", 2)), seen);
        assertEquals(PgqueuerStatus.exception, jobs.logStatuses(bad).getLast());
        JsonNode tb = traceback(bad, PgqueuerStatus.exception);
        assertTrue(tb.get("exception_message").asText().contains(Greeting.class.getName()), tb.toString());
        assertTrue(tb.get("exception_message").asText().contains("many"), tb.toString());
    }

    @Test
    void retryRequestedRequeuesWithAttemptsAndDelay() throws Exception {
        long id = jobs.enqueue("retry_me", new byte[0]);
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("retry_me", EntrypointOptions.defaults(), (job, ctx) -> {
                    attempts.add(job.attempts());
                    if (job.attempts() < 2) {
                        throw new RetryRequested(Duration.ofMillis(100), "not yet");
                    }
                })
                .options(TestJobs.fastOptions().build()).build().start()) {
            Await.until("third attempt done", Duration.ofSeconds(10),
                    () -> jobs.logStatuses(id).contains(PgqueuerStatus.successful));
        }
        assertEquals(List.of(0, 1, 2), attempts);
        assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.queued, PgqueuerStatus.picked,
                PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.successful), jobs.logStatuses(id));
        JsonNode tb = traceback(id, PgqueuerStatus.queued);
        assertEquals("not yet", tb.get("additional_context").get("reason").asText());
        assertEquals("0:00:00.100000", tb.get("additional_context").get("retry_delay").asText());
    }

    @Test
    void exponentialBackoffWritesRetriesThenGivesUp() throws Exception {
        long id = jobs.enqueue("flaky", new byte[0]);
        RetryPolicy policy = RetryPolicy.exponentialBackoff(Duration.ofMillis(50), 2.0, Duration.ofMillis(120), 3);
        assertEquals(Duration.ofMillis(50), policy.delayFor(0).orElseThrow());
        assertEquals(Duration.ofMillis(100), policy.delayFor(1).orElseThrow());
        assertEquals(Duration.ofMillis(120), policy.delayFor(2).orElseThrow());
        assertTrue(policy.delayFor(3).isEmpty());
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("flaky", EntrypointOptions.builder().retryPolicy(policy).build(), (job, ctx) -> {
                    throw new RuntimeException("down");
                })
                .options(TestJobs.fastOptions().build()).build().start()) {
            Await.until("gave up", Duration.ofSeconds(10),
                    () -> jobs.logStatuses(id).contains(PgqueuerStatus.exception));
        }
        List<PgqueuerStatus> statuses = jobs.logStatuses(id);
        assertEquals(3, Collections.frequency(statuses, PgqueuerStatus.queued) - 1, statuses.toString());
        assertEquals(4, Collections.frequency(statuses, PgqueuerStatus.picked), statuses.toString());
    }

    @Test
    void heldFailureStaysAsFailedAndCanBeRequeued() throws Exception {
        long id = jobs.enqueue("held", new byte[0]);
        List<Integer> runs = new CopyOnWriteArrayList<>();
        EntrypointOptions hold = EntrypointOptions.builder().onFailure(EntrypointOptions.OnFailure.HOLD).build();
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("held", hold, (job, ctx) -> {
                    runs.add(job.attempts());
                    if (runs.size() == 1) {
                        throw new IllegalArgumentException("first run fails");
                    }
                })
                .options(TestJobs.fastOptions().build()).build().start()) {
            Await.until("held", Duration.ofSeconds(10), () -> jobs.logStatuses(id).contains(PgqueuerStatus.failed));
            var row = jobs.dsl().selectFrom(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchOne();
            assertEquals(PgqueuerStatus.failed, row.getStatus());
            assertEquals(null, row.getQueueManagerId());
            // requeue as `pgq requeue` does (facts §5.5); the admin API lives in another package
            var requeued = org.jooq.impl.DSL.name("requeued").fields("id", "entrypoint", "priority").as(jobs.dsl().update(PGQUEUER)
                    .set(PGQUEUER.STATUS, org.jooq.impl.DSL.inline(PgqueuerStatus.queued, PGQUEUER.STATUS))
                    .set(PGQUEUER.EXECUTE_AFTER, org.jooq.impl.DSL.currentOffsetDateTime())
                    .set(PGQUEUER.UPDATED, org.jooq.impl.DSL.currentOffsetDateTime())
                    .set(PGQUEUER.ATTEMPTS, 0).setNull(PGQUEUER.QUEUE_MANAGER_ID)
                    .where(PGQUEUER.ID.eq(id), PGQUEUER.STATUS.eq(org.jooq.impl.DSL.inline(PgqueuerStatus.failed, PGQUEUER.STATUS)))
                    .returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
            jobs.dsl().with(requeued).insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY)
                    .select(org.jooq.impl.DSL.select(Cte.col(requeued, "id", Long.class),
                            org.jooq.impl.DSL.inline(PgqueuerStatus.queued, PGQUEUER_LOG.STATUS),
                            Cte.col(requeued, "entrypoint", String.class), Cte.col(requeued, "priority", Integer.class)).from(requeued))
                    .execute();
            Await.until("second run", Duration.ofSeconds(10), () -> jobs.logStatuses(id).contains(PgqueuerStatus.successful));
        }
        assertEquals(2, runs.size());
        assertEquals(0, jobs.queueCount());
    }

    @Test
    void closeWaitsForTheRunningJob() throws Exception {
        long id = jobs.enqueue("slow", new byte[0]);
        CountDownLatch started = new CountDownLatch(1);
        Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("slow", EntrypointOptions.defaults(), (job, ctx) -> {
                    started.countDown();
                    Thread.sleep(400);
                })
                .options(TestJobs.fastOptions().build()).build().start();
        assertTrue(started.await(10, TimeUnit.SECONDS));
        w.close();
        assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.successful), jobs.logStatuses(id));
    }

    @Test
    void badOptionsAreRejectedAtRegistration() {
        var e1 = assertThrows(WorkerException.class, () -> EntrypointOptions.builder().concurrencyLimit(-1));
        assertTrue(e1.getMessage().contains("-1"));
        var e2 = assertThrows(WorkerException.class, () -> EntrypointOptions.builder().requestsPerSecond(0));
        assertTrue(e2.getMessage().contains("0.0"));
        var builder = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("dup", EntrypointOptions.defaults(), (job, ctx) -> { });
        var e3 = assertThrows(WorkerException.class, () -> builder.entrypoint("dup", EntrypointOptions.defaults(), (job, ctx) -> { }));
        assertTrue(e3.getMessage().contains("'dup'"));
        assertThrows(WorkerException.class, () -> WorkerOptions.builder().batchSize(0));
        assertThrows(WorkerException.class, () -> Worker.builder(db.dataSource(), QueueTables.defaults()).build());
    }
}
