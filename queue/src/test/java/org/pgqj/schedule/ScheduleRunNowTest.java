package org.pgqj.schedule;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.pgqj.core.QueueTables;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.MigratedQueueTest;

/** "Run now" on a yearly schedule: a running Java scheduler runs it once, soon, and keeps its yearly rhythm. */
@MigratedQueueTest
class ScheduleRunNowTest {

    private static final QueueTables TABLES = QueueTables.defaults();
    private static final String YEARLY = "0 0 1 1 *";

    @Test
    void aRunningSchedulerRunsItAtItsNextPollAndTheNextRunIsTheRegularOneAgain(TestDatabase db) throws Exception {
        List<Instant> runs = new CopyOnWriteArrayList<>();
        try (Scheduler scheduler = Scheduler.builder(db.dataSource(), TABLES)
                .schedule(YEARLY, "new_year", ctx -> runs.add(ctx.scheduledAt()))
                .options(SchedulerOptions.builder().maxPollInterval(Duration.ofSeconds(1)).build())
                .build()) {
            scheduler.start();
            long id = Schedules.list(TABLES, db.dataSource()).get(0).id();
            Instant yearly = nextRun(db, id);
            assertFalse(Schedules.runNow(TABLES, TABLES.dsl(db.dataSource()), id + 1), "no such schedule");
            assertTrue(Schedules.runNow(TABLES, TABLES.dsl(db.dataSource()), id));
            Await.until("the scheduler ran the schedule", Duration.ofSeconds(15), () -> runs.size() == 1);
            Await.until("the row is released", Duration.ofSeconds(10),
                    () -> Schedules.list(TABLES, db.dataSource()).get(0).lastRun().isPresent());
            // next_run is date_trunc(now() + delay) with the delay from the JVM clock: equal to the second or so
            assertTrue(Duration.between(yearly, nextRun(db, id)).abs().toSeconds() <= 1,
                    "the claim set the next regular fire time again: " + yearly + " vs " + nextRun(db, id));
            Await.holds("it runs once", Duration.ofSeconds(2), () -> runs.size() == 1);
        }
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("UPDATE pgqueuer_schedules SET status = 'picked'");
        }
        long id = Schedules.list(TABLES, db.dataSource()).get(0).id();
        assertFalse(Schedules.runNow(TABLES, TABLES.dsl(db.dataSource()), id), "running now: not made due again");
    }

    private static Instant nextRun(TestDatabase db, long id) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT next_run FROM pgqueuer_schedules WHERE id = " + id)) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }
}
