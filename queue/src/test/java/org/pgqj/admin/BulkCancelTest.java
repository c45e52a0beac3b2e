package org.pgqj.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.enqueue.OnConflict;
import org.pgqj.internal.notify.NotifyPayloads;
import org.pgqj.notify.CancellationEvent;
import org.pgqj.notify.NotifyEvents;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.MigratedQueueTest;
import org.pgqj.worker.Worker;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A cancel of 10,000 ids in one call: PostgreSQL refuses a NOTIFY payload of 8000 bytes or more, so the event
 * goes out as several cancellations; a worker running some of the jobs, scattered over the whole list, sees
 * each of its cancellations, and every job ends logged {@code canceled} once.
 */
@MigratedQueueTest
class BulkCancelTest {

    static final int JOBS = 10_000;
    /** Every 500th job runs on the worker (20 of them, spread over every payload); the rest wait queued. */
    static final int EVERY = 500;

    @Test
    void tenThousandIdsReachTheWorkerInPayloadsPostgresAccepts(TestDatabase db) throws Exception {
        QueueTables tables = QueueTables.defaults();
        DSLContext dsl = tables.dsl(db.dataSource());
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < JOBS; i++) {
            jobs.add(NewJob.of(i % EVERY == EVERY / 2 ? "bulk_run" : "bulk_idle", new byte[0]));
        }
        List<Long> ids = JobQueue.create(tables).enqueue(dsl, jobs, OnConflict.RAISE).writtenIds();
        Set<Long> running = ConcurrentHashMap.newKeySet();
        Set<Long> cancelled = ConcurrentHashMap.newKeySet();
        try (Worker worker = Worker.builder(db.dataSource(), tables)
                .entrypoint("bulk_run", EntrypointOptions.defaults(), (job, ctx) -> {
                    running.add(job.id());
                    try {
                        Thread.sleep(Duration.ofMinutes(2));
                    } catch (InterruptedException e) {
                        if (ctx.isCancelled()) {
                            cancelled.add(job.id());
                        }
                    }
                }).build().start();
             Connection listener = db.connect()) {
            Await.until("the worker runs its " + JOBS / EVERY + " jobs", Duration.ofSeconds(30),
                    () -> running.size() == JOBS / EVERY);
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN ch_pgqueuer"); // jOOQ has no LISTEN statement
            }
            PGConnection pg = listener.unwrap(PGConnection.class);

            DSLContext app = DSL.using(db.dataSource(), SQLDialect.POSTGRES);
            List<Long> canceled = app.transactionResult(trx -> QueueAdmin.create(tables).cancel(trx.dsl(), ids));

            assertEquals(Set.copyOf(ids), Set.copyOf(canceled));
            List<String> payloads = new ArrayList<>();
            Set<Long> announced = new HashSet<>();
            Await.until("every id announced", Duration.ofSeconds(20), () -> {
                try {
                    PGNotification[] batch = pg.getNotifications(200);
                    for (PGNotification n : batch == null ? new PGNotification[0] : batch) {
                        if (n.getParameter().contains(CancellationEvent.TYPE)) {
                            payloads.add(n.getParameter());
                            announced.addAll(((CancellationEvent) NotifyEvents.parse(n.getParameter()).orElseThrow()).ids());
                        }
                    }
                } catch (java.sql.SQLException e) {
                    throw new AssertionError(e);
                }
                return announced.size() == JOBS;
            });
            assertTrue(payloads.size() > 1, "one payload cannot carry 10,000 ids");
            payloads.forEach(p -> assertTrue(p.getBytes(StandardCharsets.UTF_8).length <= NotifyPayloads.MAX_PAYLOAD_BYTES));
            assertEquals(Set.copyOf(ids), announced);

            Await.until("every running job cancelled", Duration.ofSeconds(20), () -> cancelled.equals(running));
            Await.until("the worker recorded them", Duration.ofSeconds(20), () -> dsl.fetchCount(PGQUEUER) == 0);
        }
        assertEquals(JOBS, dsl.fetchCount(PGQUEUER_LOG, PGQUEUER_LOG.STATUS.eq(PgqueuerStatus.canceled)));
        assertEquals(JOBS, dsl.selectDistinct(PGQUEUER_LOG.JOB_ID).from(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.STATUS.eq(PgqueuerStatus.canceled)).fetch().size(), "each job logged canceled once");
        assertEquals(0, dsl.fetchCount(PGQUEUER_LOG, PGQUEUER_LOG.STATUS.in(PgqueuerStatus.successful,
                PgqueuerStatus.exception)));
    }
}
