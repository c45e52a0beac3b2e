package org.pgqj.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;

/**
 * Live workers from {@code pg_stat_activity}: a real Java worker, idle and then busy; a session that runs what a
 * Python pgqueuer worker runs (its probe, its LISTEN; the real Python worker is checked in the interop suite);
 * and sessions that are no workers.
 */
@ExtendWith(PostgresExtension.class)
class LiveWorkersTest {

    private static final QueueTables ACME = QueueTables.of(new PgqueuerNames("acme_", "ops"));
    private static final QueueInspection INSPECT = QueueInspection.create(ACME);
    private static final UUID GONE = UUID.fromString("00000000-0000-4000-8000-0000000000ee");

    @BeforeAll
    static void migrate(TestDatabase db) {
        PgqueuerSchema.forDataSource(db.dataSource()).names(ACME.names()).migrate();
    }

    @Test
    void aJavaWorkerIdleThenBusyAPythonLikeSessionAndJobsOfAGoneWorker(TestDatabase db) throws Exception {
        DSLContext dsl = ACME.dsl(db.dataSource());
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch started = new CountDownLatch(1);
        try (Worker worker = Worker.builder(db.dataSource(), ACME)
                .entrypoint("report", EntrypointOptions.defaults(), (job, ctx) -> {
                    started.countDown();
                    release.await();
                })
                .build().start();
             Connection python = db.connect(); Connection other = db.connect(); Connection web = db.connect()) {
            // what a pgqueuer worker's one connection last ran: the health-check probe, on this install's channel
            try (PreparedStatement probe = python.prepareStatement("SELECT pg_notify(?, ?)")) {
                probe.setString(1, "acme_ch_pgqueuer");
                probe.setString(2, "{}");
                probe.execute();
            }
            try (Statement st = other.createStatement()) {
                st.execute("SELECT count(*) FROM ops.acme_pgqueuer"); // a reader, no worker
            }
            try (Statement st = web.createStatement()) {
                st.execute("SET application_name = 'pgqj-web'");
                st.execute("SELECT pg_notify('acme_ch_pgqueuer', '{}')");
            }
            try (Statement st = db.connect().createStatement()) { // jobs picked by a worker that is gone
                st.execute("INSERT INTO ops.acme_pgqueuer (priority, entrypoint, status, queue_manager_id, payload, headers) "
                        + "VALUES (0, 'orphan', 'picked', '" + GONE + "', NULL, 'null')");
                st.getConnection().close();
            }
            Await.until("the worker's listener is named in pg_stat_activity", Duration.ofSeconds(10),
                    () -> INSPECT.liveWorkers(dsl).count(WorkerLanguage.JAVA) == 1);

            LiveWorkers idle = INSPECT.liveWorkers(dsl);
            assertEquals(1, idle.count(WorkerLanguage.PYTHON), idle.toString());
            assertEquals(2, idle.workers().size(), "the reader and the dashboard's listener are no workers: " + idle);
            LiveWorker java = idle.workers().get(0);
            assertEquals(WorkerLanguage.JAVA, java.language());
            assertEquals(Optional.of(worker.id()), java.workerId());
            assertEquals(worker.listenerApplicationName(), java.sessions().get(0).applicationName());
            assertEquals(0, java.runningJobs());
            assertEquals(List.of(), java.entrypoints(), "idle: no entrypoint is in the database");
            assertTrue(java.connectedSince().isPresent() && java.lastSignOfLife().isPresent(), java.toString());
            assertFalse(java.lastSignOfLife().get().isAfter(idle.at()));
            LiveWorker py = idle.workers().get(1);
            assertEquals(Optional.empty(), py.workerId());
            assertEquals(List.of(GONE), idle.unattributedJobs().stream().map(ActiveWorker::queueManagerId).toList());
            assertEquals(0, idle.hiddenSessions());

            JobQueue.create(ACME).enqueue(dsl, NewJob.of("report", null));
            assertTrue(started.await(20, TimeUnit.SECONDS));
            LiveWorker busy = INSPECT.liveWorkers(dsl).workers().get(0);
            assertEquals(1, busy.runningJobs());
            assertEquals(List.of("report"), busy.entrypoints());
            release.countDown();
        }
        Await.until("the closed worker's sessions are gone", Duration.ofSeconds(10),
                () -> INSPECT.liveWorkers(dsl).count(WorkerLanguage.JAVA) == 0);
    }

    @Test
    void pgqueuerWorkerStatementsAreToldFromOtherStatementsOnTheQueue() {
        PgqueuerNames plain = new PgqueuerNames("", "public");
        PgqueuerNames acme = new PgqueuerNames("acme_", "ops");
        // the shapes pgqueuer 1.6's worker sends (whitespace as it comes), and what others send
        assertTrue(QueueInspection.isPgqueuerWorkerStatement("SELECT pg_notify($1, $2)", plain));
        assertTrue(QueueInspection.isPgqueuerWorkerStatement("LISTEN \"ch_pgqueuer\"", plain));
        assertFalse(QueueInspection.isPgqueuerWorkerStatement("LISTEN \"ch_pgqueuer\"", acme));
        assertTrue(QueueInspection.isPgqueuerWorkerStatement("\n  SELECT COUNT(*) AS queued_work\n FROM (\n SELECT 1\n"
                + " FROM pgqueuer\n WHERE entrypoint = ANY($1)", plain));
        assertTrue(QueueInspection.isPgqueuerWorkerStatement(
                "UPDATE ops.acme_pgqueuer SET heartbeat = NOW() WHERE id = ANY($1::bigint[])", acme));
        assertFalse(QueueInspection.isPgqueuerWorkerStatement(
                "UPDATE pgqueuer SET heartbeat = NOW() WHERE id = ANY($1::bigint[])", acme), "another install's worker");
        assertFalse(QueueInspection.isPgqueuerWorkerStatement(
                "UPDATE pgqueuer_schedules SET heartbeat = NOW(), updated = NOW() WHERE id = ANY($1);", plain),
                "a scheduler, not a worker");
        assertFalse(QueueInspection.isPgqueuerWorkerStatement("select pg_notify($1, $2)", plain), "jOOQ's cancel");
        assertFalse(QueueInspection.isPgqueuerWorkerStatement(
                "WITH input AS MATERIALIZED (SELECT 1) INSERT INTO pgqueuer (priority) SELECT 1", plain), "an enqueue");
        assertFalse(QueueInspection.isPgqueuerWorkerStatement(
                "select \"q\".\"id\" from \"public\".\"pgqueuer\" as \"q\" for update of \"q\" skip locked", plain),
                "our own (quoted) statements");
    }
}
