package org.pgqj.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.JobStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** The scheduler on an install with prefix {@code acme_} in schema {@code jobs} (PGQUEUER_PREFIX/SCHEMA). */
@ExtendWith(PostgresExtension.class)
class SchedulerPrefixedInstallTest {

    @Test
    void registersClaimsAndListsInJobsAcmeSchedules(TestDatabase db) throws Exception {
        DataSource dataSource = db.dataSource();
        PgqueuerSchema.forDataSource(dataSource).prefix("acme_").schema("jobs").migrate();
        QueueTables tables = QueueTables.of(new PgqueuerNames("acme_", "jobs"));

        List<ScheduleContext> runs = new CopyOnWriteArrayList<>();
        CountDownLatch twoRuns = new CountDownLatch(2);
        try (Scheduler scheduler = Scheduler.builder(dataSource, tables)
                .schedule("* * * * * *", "acme.tick", ctx -> {
                    runs.add(ctx);
                    twoRuns.countDown();
                })
                .options(SchedulerOptions.builder().shutdownTimeout(Duration.ofSeconds(5)).build())
                .build()) {
            scheduler.start();
            assertTrue(twoRuns.await(15, TimeUnit.SECONDS), "two ticks ran: " + runs);
        }
        assertTrue(runs.get(1).lastRun().isPresent(), "the second run sees the first one's last_run");
        assertTrue(runs.get(1).scheduledAt().isAfter(runs.get(0).scheduledAt()));

        List<Schedule> rows = Schedules.list(tables, dataSource);
        assertEquals(1, rows.size());
        assertEquals("* * * * * *", rows.getFirst().expression());
        assertEquals(JobStatus.QUEUED, rows.getFirst().status(), "close() released the row");

        try (Connection c = db.connect()) {
            // Without QueueTables' mapping: the physical table.
            assertEquals(1, DSL.using(c).fetchCount(DSL.table(DSL.name("jobs", "acme_pgqueuer_schedules"))),
                    "the row is in jobs.acme_pgqueuer_schedules");
        }
        assertEquals(1, Schedules.remove(tables, dataSource, "acme.tick"));
        assertEquals(List.of(), Schedules.list(tables, dataSource));
    }
}
