package org.pgqj.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.admin.LogRetention;
import org.pgqj.core.QueueTables;
import org.pgqj.schedule.Scheduler;
import org.pgqj.schedule.Schedules;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.springframework.context.ConfigurableApplicationContext;

/** pgqj.retention.* alone gives the app a scheduler with the retention schedule, which prunes old rows. */
@ExtendWith(PostgresExtension.class)
class PgqjRetentionTest {

    @Test
    void olderThanRegistersTheScheduleAndItPrunes(TestDatabase db) throws Exception {
        // no handler and no @PgqjSchedule: the scheduler exists for retention only
        try (ConfigurableApplicationContext context = PgqjMisconfigurationTest.start(PgqjMisconfigurationTest.Base.class,
                db, "pgqj.worker.enabled=false", "pgqj.retention.older-than=2d", "pgqj.retention.statistics=true",
                "pgqj.retention.cron=* * * * * *")) {
            assertThat(context.getBeanNamesForType(Scheduler.class)).hasSize(1);
            assertThat(Schedules.list(QueueTables.defaults(), db.dataSource()))
                    .anyMatch(s -> s.entrypoint().equals(LogRetention.ENTRYPOINT) && s.expression().equals("* * * * * *"));
            sql(db, "INSERT INTO pgqueuer_log (job_id, status, priority, entrypoint, aggregated, created) "
                    + "SELECT g, 'successful', 0, 'e', true, now() - interval '3 days' FROM generate_series(1, 25) g");
            sql(db, "INSERT INTO pgqueuer_log (job_id, status, priority, entrypoint, aggregated, created) "
                    + "SELECT g, 'successful', 0, 'e', true, now() - interval '1 day' FROM generate_series(1, 4) g");
            sql(db, "INSERT INTO pgqueuer_statistics (count, priority, status, entrypoint, created) "
                    + "SELECT 1, g, 'successful', 'e', now() - interval '5 days' FROM generate_series(1, 6) g");
            sql(db, "INSERT INTO pgqueuer_statistics (count, priority, status, entrypoint, created) "
                    + "VALUES (1, 0, 'successful', 'e', now())");
            await().atMost(Duration.ofSeconds(20)).until(
                    () -> count(db, "pgqueuer_log") == 4 && count(db, "pgqueuer_statistics") == 1);
            // a tick or two more: the recent rows stay, at every look for 1.5 s
            await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(10)).until(
                    () -> count(db, "pgqueuer_log") == 4 && count(db, "pgqueuer_statistics") == 1);
        }
    }

    @Test
    void withoutOlderThanThereIsNoScheduler(TestDatabase db) {
        try (ConfigurableApplicationContext context = PgqjMisconfigurationTest.start(PgqjMisconfigurationTest.Base.class,
                db, "pgqj.worker.enabled=false")) {
            assertThat(context.getBeanNamesForType(Scheduler.class)).isEmpty();
        }
    }

    private static void sql(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long count(TestDatabase db, String table) throws SQLException {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
