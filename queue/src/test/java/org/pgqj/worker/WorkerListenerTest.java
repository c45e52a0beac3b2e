package org.pgqj.worker;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.notify.CancellationEvent;
import org.pgqj.notify.NotifyEvent;
import org.pgqj.notify.NotifyEvents;
import org.pgqj.notify.TableChangedEvent;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/** LISTEN/NOTIFY: wake-ups, cancellation of a running job, reconnect after the backend is killed. */
@MigratedQueueTest
class WorkerListenerTest {

    private static TestDatabase db;
    private static TestJobs jobs;

    @BeforeAll
    static void database(TestDatabase database, TestJobs migrated) {
        db = database;
        jobs = migrated;
    }

    /** The dequeue timeout is a minute: only a notification can start these jobs in time. */
    private static WorkerOptions notifyOnly() {
        return WorkerOptions.builder().dequeueTimeout(Duration.ofMinutes(1)).healthCheckInterval(Duration.ofSeconds(1)).build();
    }

    @Test
    void parsesPgqueuerPayloadsAndDropsGarbage() {
        NotifyEvent t = NotifyEvents.parse("{\"channel\": \"ch_pgqueuer\", \"operation\": \"insert\", "
                + "\"sent_at\": \"2024-05-01T10:00:00.123456+00:00\", \"table\": \"pgqueuer\", \"type\": \"table_changed_event\", \"extra\": 1}")
                .orElseThrow();
        assertTrue(t instanceof TableChangedEvent tc && tc.addsWork() && tc.table().equals("pgqueuer"));
        NotifyEvent c = NotifyEvents.parse("{\"channel\":\"ch_pgqueuer\",\"sent_at\":\"2024-01-01T12:00:00.123456Z\","
                + "\"type\":\"cancellation_event\",\"received_at\":\"2024-01-01T12:00:00.123456Z\",\"ids\":[3,4]}").orElseThrow();
        assertEquals(List.of(3L, 4L), ((CancellationEvent) c).ids());
        assertTrue(NotifyEvents.parse("not json").isEmpty());
        assertTrue(NotifyEvents.parse("{\"type\":\"requests_per_second_event\",\"channel\":\"c\",\"sent_at\":\"2024-01-01T12:00:00Z\"}").isEmpty());
        String json = NotifyEvents.toJson(new CancellationEvent("ch_pgqueuer", Instant.EPOCH, Instant.EPOCH, List.of(7L)));
        assertEquals("{\"channel\":\"ch_pgqueuer\",\"sent_at\":\"1970-01-01T00:00:00Z\",\"type\":\"cancellation_event\","
                + "\"received_at\":\"1970-01-01T00:00:00Z\",\"ids\":[7]}", json);
    }

    @Test
    void cancellationReachesTheRunningHandler() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean interrupted = new AtomicBoolean();
        AtomicBoolean listenerRan = new AtomicBoolean();
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("cancel_me", EntrypointOptions.defaults(), (job, ctx) -> {
                    ctx.onCancel(() -> listenerRan.set(true));
                    started.countDown();
                    try {
                        Thread.sleep(30_000);
                    } catch (InterruptedException e) {
                        interrupted.set(ctx.isCancelled());
                    }
                })
                .options(notifyOnly()).build().start()) {
            long id = jobs.enqueue("cancel_me", new byte[0]);
            assertTrue(started.await(10, TimeUnit.SECONDS));
            // cancel as pgqueuer does: log 'canceled' and delete the row, then notify the workers
            var deleted = DSL.name("deleted").fields("id", "entrypoint", "priority").as(jobs.dsl().deleteFrom(PGQUEUER)
                    .where(PGQUEUER.ID.eq(id)).returningResult(PGQUEUER.ID, PGQUEUER.ENTRYPOINT, PGQUEUER.PRIORITY));
            jobs.dsl().with(deleted).insertInto(PGQUEUER_LOG, PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS,
                            PGQUEUER_LOG.ENTRYPOINT, PGQUEUER_LOG.PRIORITY)
                    .select(DSL.select(DSL.field(DSL.name("id"), Long.class), DSL.inline(PgqueuerStatus.canceled, PGQUEUER_LOG.STATUS),
                            DSL.field(DSL.name("entrypoint"), String.class), DSL.field(DSL.name("priority"), Integer.class)).from(deleted))
                    .execute();
            String event = NotifyEvents.toJson(new CancellationEvent("ch_pgqueuer", Instant.now(), Instant.now(), List.of(id)));
            jobs.dsl().select(DSL.function("pg_notify", Object.class, DSL.val("ch_pgqueuer"), DSL.val(event))).execute();
            Await.until("handler interrupted", Duration.ofSeconds(10), interrupted::get);
            assertTrue(listenerRan.get());
            Await.until("worker idle", Duration.ofSeconds(10), () -> w.runningJobs() == 0);
            w.close(); // the final flush: any (wrong) completion write has happened once this returns
            assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.canceled), jobs.logStatuses(id));
        }
    }

    @Test
    void listenerReconnectsAfterItsBackendIsTerminated() throws Exception {
        List<Long> ran = new CopyOnWriteArrayList<>();
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("after_restart", EntrypointOptions.defaults(), (job, ctx) -> ran.add(job.id()))
                .options(notifyOnly()).build().start();
             Connection c = db.connect()) {
            Await.until("listening", Duration.ofSeconds(10), w::isListening);
            int killed;
            try (PreparedStatement ps = c.prepareStatement(
                    // test-only admin query: find the listener's backend by application name and end it
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = ?")) {
                ps.setString(1, w.listenerApplicationName());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    killed = rs.getInt(1);
                }
            }
            assertEquals(1, killed, "the listener connection should carry application_name " + w.listenerApplicationName());
            Await.until("listener noticed the loss", Duration.ofSeconds(10), () -> !w.isListening());
            Await.until("listener back", Duration.ofSeconds(20), w::isListening);
            long id = jobs.enqueue("after_restart", "{}".getBytes(UTF_8));
            // the poll fallback is a minute away: only the re-established LISTEN can start it this soon
            Await.until("job run after reconnect", Duration.ofSeconds(10), () -> ran.contains(id));
        }
    }

    @Test
    void notificationStartsAJobWithoutPolling() throws Exception {
        CountDownLatch ran = new CountDownLatch(1);
        try (Worker w = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("wake_me", EntrypointOptions.defaults(), (job, ctx) -> ran.countDown())
                .options(notifyOnly()).build().start()) {
            Await.until("listening", Duration.ofSeconds(10), w::isListening);
            // one claim round found nothing: the worker now waits up to a minute, unless notified
            assertTrue(w.awaitDrained(Duration.ofSeconds(10)));
            jobs.enqueue("wake_me", new byte[0]);
            assertTrue(ran.await(5, TimeUnit.SECONDS));
        }
    }
}
