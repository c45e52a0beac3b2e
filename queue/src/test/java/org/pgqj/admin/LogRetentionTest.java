package org.pgqj.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.schedule.Schedule;
import org.pgqj.schedule.Scheduler;
import org.pgqj.schedule.Schedules;
import org.pgqj.testing.Await;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** Pruning the log and statistics in batches, and the retention schedule run by one of two schedulers. */
@ExtendWith(PostgresExtension.class)
class LogRetentionTest {

    private static final QueueTables TABLES = QueueTables.defaults();

    @BeforeAll
    static void migrate(TestDatabase db) {
        PgqueuerSchema.forDataSource(db.dataSource()).migrate();
    }

    @BeforeEach
    void fill(TestDatabase db) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE pgqueuer_log, pgqueuer_statistics, pgqueuer_schedules");
            // 2,500 old aggregated rows, 7 old not yet aggregated, 5 new; statistics: 30 old, 4 new
            st.execute("INSERT INTO pgqueuer_log (job_id, status, priority, entrypoint, aggregated, created) "
                    + "SELECT g, 'successful', 0, 'e', true, now() - interval '8 days' FROM generate_series(1, 2500) g");
            st.execute("INSERT INTO pgqueuer_log (job_id, status, priority, entrypoint, aggregated, created) "
                    + "SELECT g, 'successful', 0, 'e', false, now() - interval '8 days' FROM generate_series(1, 7) g");
            st.execute("INSERT INTO pgqueuer_log (job_id, status, priority, entrypoint, aggregated, created) "
                    + "SELECT g, 'queued', 0, 'e', true, now() FROM generate_series(1, 5) g");
            st.execute("INSERT INTO pgqueuer_statistics (count, priority, status, entrypoint, created) "
                    + "SELECT 1, g, 'successful', 'e', now() - interval '9 days' FROM generate_series(1, 30) g");
            st.execute("INSERT INTO pgqueuer_statistics (count, priority, status, entrypoint, created) "
                    + "SELECT 1, g, 'successful', 'e', now() FROM generate_series(1, 4) g");
        }
    }

    @Test
    void prunesOldAggregatedLogRowsInBatchesAndKeepsTheRest(TestDatabase db) throws Exception {
        PruneResult result = LogRetention.create(TABLES).batchSize(1000).pruneLog(db.dataSource(), Duration.ofDays(7));
        assertEquals(2500, result.rowsDeleted());
        assertEquals(3, result.batches(), "1000 + 1000 + 500");
        assertEquals(12, count(db, "pgqueuer_log"), "not yet aggregated and recent rows stay");
        assertEquals(0, QueueAdmin.create(TABLES).pruneLog(db.dataSource(), Duration.ofDays(7)).rowsDeleted());

        PruneResult stats = QueueAdmin.create(TABLES).pruneStatistics(db.dataSource(), Duration.ofDays(7));
        assertEquals(30, stats.rowsDeleted());
        assertEquals(4, count(db, "pgqueuer_statistics"));
    }

    @Test
    void aBatchSkipsRowsAnotherTransactionHoldsInsteadOfWaiting(TestDatabase db) throws Exception {
        try (Connection holder = db.connect(); Statement st = holder.createStatement()) {
            holder.setAutoCommit(false);
            st.execute("SELECT id FROM pgqueuer_log WHERE job_id <= 10 AND aggregated AND created < now() - interval '7 days' FOR UPDATE");
            PruneResult result = LogRetention.create(TABLES).batchSize(700).pruneLog(db.dataSource(), Duration.ofDays(7));
            assertEquals(2490, result.rowsDeleted(), "the 10 locked rows are skipped, not waited for");
            holder.rollback();
        }
        assertEquals(10 + 12, count(db, "pgqueuer_log"));
    }

    @Test
    void rejectsANegativeAgeAndAScheduleOfAgeZero(TestDatabase db) {
        var e = assertThrows(IllegalArgumentException.class,
                () -> QueueAdmin.create(TABLES).pruneLog(db.dataSource(), Duration.ofDays(-1)));
        assertTrue(e.getMessage().contains("PT-24H"), e.getMessage());
        var zero = assertThrows(IllegalArgumentException.class,
                () -> Scheduler.builder(db.dataSource(), TABLES).retention(LogRetention.DEFAULT_CRON, Duration.ZERO, false));
        assertTrue(zero.getMessage().contains("must be positive (got PT0S)"), zero.getMessage());
    }

    @Test
    void theRetentionScheduleRunsOnOneOfTwoSchedulersAtATime(TestDatabase db) throws Exception {
        LogRetention retention = LogRetention.create(TABLES);
        List<String> runs = new CopyOnWriteArrayList<>();
        List<Scheduler> schedulers = new ArrayList<>();
        for (String name : List.of("a", "b")) {
            schedulers.add(Scheduler.builder(db.dataSource(), TABLES)
                    .schedule("* * * * * *", LogRetention.ENTRYPOINT, context -> {
                        runs.add(name + ":start");
                        retention.pruneLog(db.dataSource(), Duration.ofDays(7));
                        retention.pruneStatistics(db.dataSource(), Duration.ofDays(7));
                        Thread.sleep(300); // overlap, if two could run at once
                        runs.add(name + ":end");
                    }).build());
        }
        schedulers.forEach(Scheduler::start);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (runs.stream().filter(r -> r.endsWith(":end")).count() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            schedulers.forEach(Scheduler::close);
        }
        assertTrue(runs.size() >= 6, runs.toString());
        for (int i = 0; i + 1 < runs.size(); i += 2) {
            assertTrue(runs.get(i).endsWith(":start") && runs.get(i + 1).endsWith(":end")
                    && runs.get(i).charAt(0) == runs.get(i + 1).charAt(0), "never two at once: " + runs);
        }
        assertEquals(12, count(db, "pgqueuer_log"));
        assertEquals(4, count(db, "pgqueuer_statistics"));
    }

    @Test
    void theSchedulersRetentionSchedulePrunesOnItsTick(TestDatabase db) throws Exception {
        try (Scheduler scheduler = Scheduler.builder(db.dataSource(), TABLES)
                .retention("* * * * * *", Duration.ofDays(7), true).build()) {
            scheduler.start();
            assertEquals(List.of(LogRetention.ENTRYPOINT),
                    Schedules.list(TABLES, db.dataSource()).stream().map(Schedule::entrypoint).toList());
            Await.until("a tick pruned the old counted log rows and the old statistics", Duration.ofSeconds(20),
                    () -> count(db, "pgqueuer_log") == 12 && count(db, "pgqueuer_statistics") == 4);
        }
    }

    static long count(TestDatabase db, String table) {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }
}
