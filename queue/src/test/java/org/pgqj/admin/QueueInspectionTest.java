package org.pgqj.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.Job;
import org.pgqj.core.JobStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** The operator views, on a prefixed install in its own schema, against real rows. */
@ExtendWith(PostgresExtension.class)
class QueueInspectionTest {

    private static final QueueTables ACME = QueueTables.of(new PgqueuerNames("acme_", "ops"));
    private static final QueueInspection INSPECT = QueueInspection.create(ACME);
    private static final UUID WORKER_A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
    private static final UUID WORKER_B = UUID.fromString("00000000-0000-0000-0000-00000000000b");

    @BeforeAll
    static void migrate(TestDatabase db) {
        PgqueuerSchema.forDataSource(db.dataSource()).names(ACME.names()).migrate();
    }

    @Test
    void staleWorkersBacklogJobsLogThroughputAndTables(TestDatabase db) throws Exception {
        DSLContext dsl = ACME.dsl(db.dataSource());
        List<Long> ids = JobQueue.create(ACME).enqueueAll(dsl, List.of(NewJob.of("mail", null),
                NewJob.builder("mail").priority(9).build(), NewJob.of("sms", null), NewJob.of("sms", null),
                NewJob.of("pdf", null)));
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            // two picked by worker A (one with a 10-minute-old heartbeat), one by B; jobs backdated for ages
            st.execute("UPDATE ops.acme_pgqueuer SET status = 'picked', queue_manager_id = '" + WORKER_A
                    + "', heartbeat = now() - interval '10 minutes' WHERE id = " + ids.get(0));
            st.execute("UPDATE ops.acme_pgqueuer SET status = 'picked', queue_manager_id = '" + WORKER_A
                    + "' WHERE id = " + ids.get(2));
            st.execute("UPDATE ops.acme_pgqueuer SET status = 'picked', queue_manager_id = '" + WORKER_B
                    + "', heartbeat = now() - interval '1 minute' WHERE id = " + ids.get(4));
            st.execute("UPDATE ops.acme_pgqueuer SET created = now() - interval '100 seconds' WHERE id = " + ids.get(3));
            st.execute("INSERT INTO ops.acme_pgqueuer_statistics (count, priority, status, entrypoint, created) VALUES "
                    + "(3, 0, 'successful', 'mail', now() - interval '10 seconds'), "
                    + "(2, 0, 'successful', 'mail', now() - interval '20 seconds'), "
                    + "(1, 0, 'exception', 'sms', now() - interval '2 hours')");
        }

        List<StaleJob> stale = INSPECT.staleJobs(dsl, Duration.ofMinutes(5), 25);
        assertEquals(List.of(ids.get(0)), stale.stream().map(StaleJob::id).toList());
        assertEquals(WORKER_A, stale.get(0).queueManagerId().orElseThrow());
        assertTrue(stale.get(0).secondsSinceHeartbeat() >= 600 && stale.get(0).secondsSinceHeartbeat() < 660,
                stale.toString());
        assertEquals(2, INSPECT.staleJobs(dsl, Duration.ofSeconds(30), 25).size());
        assertEquals(1, INSPECT.staleJobs(dsl, Duration.ofSeconds(30), 1).size());

        List<ActiveWorker> workers = INSPECT.activeWorkers(dsl);
        assertEquals(List.of(WORKER_A, WORKER_B), workers.stream().map(ActiveWorker::queueManagerId).toList());
        assertEquals(2, workers.get(0).activeJobs());
        assertEquals(List.of("mail", "sms"), workers.get(0).entrypoints());
        assertTrue(workers.get(0).oldestHeartbeat().isBefore(workers.get(0).newestHeartbeat()));

        List<BacklogEntry> backlog = INSPECT.backlog(dsl);
        assertEquals(List.of("mail", "sms"), backlog.stream().map(BacklogEntry::entrypoint).toList());
        assertEquals(1, backlog.get(1).queuedCount());
        assertTrue(backlog.get(1).oldestAgeSeconds() >= 100 && backlog.get(1).oldestAgeSeconds() < 160, backlog.toString());
        assertEquals(backlog.get(1).oldestAgeSeconds(), backlog.get(1).avgAgeSeconds(), 0.5);

        List<Job> page = INSPECT.jobs(dsl, 10, 0, List.of(), List.of());
        assertEquals(ids.get(1), page.get(0).id(), "highest priority first");
        assertEquals(5, page.size());
        assertEquals(List.of(ids.get(2), ids.get(3)),
                INSPECT.jobs(dsl, 10, 0, List.of(), List.of("sms")).stream().map(Job::id).toList());
        assertEquals(List.of(ids.get(3)), INSPECT.jobs(dsl, 10, 0, List.of(JobStatus.QUEUED), List.of("sms"))
                .stream().map(Job::id).toList());
        assertEquals(List.of(ids.get(0)), INSPECT.jobs(dsl, 1, 1, List.of(), List.of()).stream().map(Job::id).toList());

        List<LogEntry> newest = INSPECT.recentLog(dsl, 2, List.of());
        assertEquals(2, newest.size());
        assertTrue(newest.get(0).id() > newest.get(1).id());
        assertEquals(List.of(ids.get(4)), INSPECT.jobLog(dsl, ids.get(4), 10).stream().map(LogEntry::jobId).toList());
        assertEquals(List.of(), INSPECT.recentLog(dsl, 10, Set.of(JobStatus.EXCEPTION)));

        assertEquals(List.of(new ThroughputTotal("mail", JobStatus.SUCCESSFUL, 5)), INSPECT.throughput(dsl, Duration.ofHours(1)));
        assertEquals(2, INSPECT.throughput(dsl, Duration.ZERO).size());

        List<TableInfo> tables = INSPECT.tables(dsl);
        assertEquals(List.of("acme_pgqueuer", "acme_pgqueuer_log", "acme_pgqueuer_schedules", "acme_pgqueuer_statistics"),
                tables.stream().map(TableInfo::tableName).toList());
        assertTrue(tables.stream().allMatch(t -> t.persistence().equals("LOGGED") && t.totalBytes() > 0), tables.toString());

        assertThrows(IllegalArgumentException.class, () -> INSPECT.staleJobs(dsl, Duration.ofSeconds(-1), 1));
        assertThrows(IllegalArgumentException.class, () -> INSPECT.jobs(dsl, 0, 0, List.of(), List.of()));
    }
}
