package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/** pgqueuer 2.0/2.2 worker semantics on real PostgreSQL: NUL in failures, backoff, wake on requeue, schema check. */
@MigratedQueueTest
class Parity20WorkerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestDatabase db;
    private TestJobs jobs;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    @BeforeEach
    void jobs(TestJobs jobs) {
        this.jobs = jobs;
    }

    /** Idle workers: nothing but a notification can wake them within the test's time. */
    private static WorkerOptions idle() {
        return WorkerOptions.builder().dequeueTimeout(Duration.ofMinutes(2)).shutdownTimeout(Duration.ofSeconds(5)).build();
    }

    private JsonNode traceback(long id, PgqueuerStatus status) throws Exception {
        return JSON.readTree(jobs.dsl().select(PGQUEUER_LOG.TRACEBACK).from(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.JOB_ID.eq(id), PGQUEUER_LOG.STATUS.eq(status))
                .orderBy(PGQUEUER_LOG.ID.desc()).limit(1).fetchOne(PGQUEUER_LOG.TRACEBACK).data());
    }

    @Test
    void aFailureTextWithNulIsStoredNotLost() throws Exception {
        long id = jobs.enqueue("nul", new byte[0]);
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("nul", EntrypointOptions.defaults(), (job, ctx) -> {
                    throw new IllegalStateException("bad\u0000byte");
                })
                .options(idle()).build().start()) {
            Await.until("exception logged", Duration.ofSeconds(20),
                    () -> jobs.logStatuses(id).contains(PgqueuerStatus.exception));
        }
        JsonNode tb = traceback(id, PgqueuerStatus.exception);
        assertEquals("bad\\u0000byte", tb.get("exception_message").asText(), tb.toString());
        assertTrue(tb.get("traceback").asText().contains("bad\\u0000byte"), tb.toString());
        assertEquals(0, jobs.queueCount(), "the job is finished, not stuck picked");
    }

    @Test
    void theBackoffOfAHugeAttemptCountIsTheCap() throws Exception {
        long id = jobs.enqueue("flaky", new byte[0]);
        jobs.dsl().update(PGQUEUER).set(PGQUEUER.ATTEMPTS, 2_000_000_000).where(PGQUEUER.ID.eq(id)).execute();
        RetryPolicy policy = RetryPolicy.exponentialBackoff(Duration.ofSeconds(1), 2.0, Duration.ofMinutes(5),
                Integer.MAX_VALUE);
        assertEquals(Optional.of(Duration.ofMinutes(5)), policy.delayFor(2_000_000_000));
        assertEquals(Optional.of(Duration.ofMinutes(5)), policy.delayFor(1024), "2^1024 is +Infinity as a double");
        assertEquals(Optional.of(Duration.ZERO),
                RetryPolicy.exponentialBackoff(Duration.ZERO, 2.0, Duration.ofMinutes(5), Integer.MAX_VALUE).delayFor(5000),
                "0 x Infinity is NaN; a zero start stays zero");
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("flaky", EntrypointOptions.builder().retryPolicy(policy).build(), (job, ctx) -> {
                    throw new RuntimeException("down");
                })
                .options(idle()).build().start()) {
            Await.until("retry written", Duration.ofSeconds(20), () -> jobs.logStatuses(id).size() >= 3);
        }
        var row = jobs.dsl().select(PGQUEUER.ATTEMPTS, PGQUEUER.STATUS, PGQUEUER.EXECUTE_AFTER,
                org.jooq.impl.DSL.currentOffsetDateTime()).from(PGQUEUER).where(PGQUEUER.ID.eq(id)).fetchSingle();
        assertEquals(2_000_000_001, row.value1());
        assertEquals(PgqueuerStatus.queued, row.value2());
        Duration wait = Duration.between(row.value4(), row.value3());
        assertTrue(wait.compareTo(Duration.ofMinutes(4)) > 0 && wait.compareTo(Duration.ofMinutes(5)) <= 0, wait.toString());
        assertEquals("0:05:00", traceback(id, PgqueuerStatus.queued).get("additional_context").get("retry_delay").asText());
    }

    @Test
    void aRequeuedJobWakesAnIdleWorkerAtOnce() throws Exception {
        AtomicLong startedAt = new AtomicLong();
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("held", EntrypointOptions.defaults(), (job, ctx) -> startedAt.set(System.nanoTime()))
                .options(idle()).build().start()) {
            Await.until("listening", Duration.ofSeconds(20), w::isListening);
            long id;
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                // a held job (on-failure hold): the worker has nothing to claim and goes idle
                var rs = st.executeQuery("INSERT INTO pgqueuer (priority, status, entrypoint) VALUES (0, 'failed', 'held') RETURNING id");
                rs.next();
                id = rs.getLong(1);
            }
            Thread.sleep(1_500); // let the insert's own wake-up pass: the worker claims nothing and idles
            long requeued = System.nanoTime();
            assertEquals(List.of(id), QueueAdmin.create(QueueTables.defaults()).requeue(jobs.dsl(), List.of(id)));
            Await.until("requeued job started", Duration.ofSeconds(30), () -> startedAt.get() != 0);
            long millis = (startedAt.get() - requeued) / 1_000_000;
            System.out.println("requeue -> start latency with an idle worker: " + millis + " ms (dequeue timeout 2 min)");
            assertTrue(millis < 10_000, "an idle worker (2-minute poll) started the requeued job after " + millis + " ms");
        }
    }

    @Test
    void aRetriedJobWakesAnIdleWorkerWhenItIsDue() throws Exception {
        AtomicLong second = new AtomicLong();
        AtomicLong first = new AtomicLong();
        long id = jobs.enqueue("again", new byte[0]);
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("again", EntrypointOptions.defaults(), (job, ctx) -> {
                    if (job.attempts() == 0) {
                        first.set(System.nanoTime());
                        throw new RetryRequested(Duration.ZERO, "once more");
                    }
                    second.set(System.nanoTime());
                })
                .options(idle()).build().start()) {
            Await.until("second attempt", Duration.ofSeconds(30), () -> second.get() != 0);
        }
        long millis = (second.get() - first.get()) / 1_000_000;
        System.out.println("retry -> second attempt latency with an idle worker: " + millis + " ms");
        assertTrue(millis < 10_000, "the retried job ran again after " + millis + " ms (dequeue timeout 2 min)");
        assertTrue(jobs.logStatuses(id).contains(PgqueuerStatus.successful));
    }

    @Test
    void aWorkerChecksTheWholeSchemaAndNamesWhatIsMissing() throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP INDEX pgqueuer_statistics_created");
        }
        try {
            Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                    .entrypoint("x", EntrypointOptions.defaults(), (job, ctx) -> { })
                    .options(idle()).build();
            WorkerException e = assertThrows(WorkerException.class, w::start);
            assertTrue(e.getMessage().contains("index public.pgqueuer_statistics_created"), e.getMessage());
        } finally {
            try (Connection c = db.connect(); Statement st = c.createStatement()) {
                st.execute("CREATE INDEX pgqueuer_statistics_created ON pgqueuer_statistics (created)");
            }
        }
    }
}
