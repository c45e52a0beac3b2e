package org.pgqj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** `pgqj run --retention`: the built-in retention schedule beside the worker, in two processes at once. */
@ExtendWith(PostgresExtension.class)
class PgqjRetentionIT {

    private static final String TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath().toString();
    private record Bad(List<String> options, String message) {}

    private static final Pattern TICK = Pattern.compile("Retention tick (\\S+): pruned (\\d+) log and (\\d+) statistics rows");

    @Test
    void twoProcessesPruneOldRowsAndNeverRunTheSameTick(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "keep");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        sql(db, "INSERT INTO keep.pgqueuer_log (job_id, status, priority, entrypoint, aggregated, created) "
                + "SELECT g, 'successful', 0, 'e', true, now() - interval '3 days' FROM generate_series(1, 40) g");
        sql(db, "INSERT INTO keep.pgqueuer_log (job_id, status, priority, entrypoint, aggregated, created) "
                + "SELECT g, 'successful', 0, 'e', true, now() - interval '1 hour' FROM generate_series(1, 6) g");
        sql(db, "INSERT INTO keep.pgqueuer_statistics (count, priority, status, entrypoint, created) "
                + "SELECT 1, g, 'successful', 'e', now() - interval '5 days' FROM generate_series(1, 9) g");
        sql(db, "INSERT INTO keep.pgqueuer_statistics (count, priority, status, entrypoint, created) "
                + "VALUES (1, 0, 'successful', 'e', now())");

        List<Process> processes = new ArrayList<>();
        List<CliProcess.Drain> errs = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Process p = CliProcess.builder(db, env, TEST_CLASSES, "run", "org.pgqj.cli.TestFactories::echo",
                        "--retention", "2d", "--retention-statistics", "--retention-cron", "* * * * * *").start();
                processes.add(p);
                CliProcess.drain(p.getInputStream());
                errs.add(CliProcess.drain(p.getErrorStream()));
            }
            try {
                Await.until("old rows pruned", Duration.ofSeconds(30),
                        () -> count(db, "keep.pgqueuer_log") == 6 && count(db, "keep.pgqueuer_statistics") == 1);
                // several more ticks, each to be taken by one of the two
                Await.until("8 ticks", Duration.ofSeconds(30), () -> ticks(errs).size() >= 8);
            } catch (AssertionError e) {
                // what the two processes said is the only clue to why a tick did not come
                throw new AssertionError(e.getMessage() + "; log rows " + count(db, "keep.pgqueuer_log")
                        + ", statistics rows " + count(db, "keep.pgqueuer_statistics") + "\n--- process 1 stderr\n"
                        + errs.get(0).text() + "\n--- process 2 stderr\n" + (errs.size() > 1 ? errs.get(1).text() : ""), e);
            }
        } finally {
            for (Process p : processes) {
                new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor();
            }
        }
        for (Process p : processes) {
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stops on the first SIGTERM");
        }
        for (int i = 0; i < 2; i++) {
            String err = errs.get(i).text();
            assertEquals(0, processes.get(i).exitValue(), err);
            assertTrue(err.contains("Retention schedule pgqj_retention on '* * * * * *': deletes log and statistics rows "
                    + "older than 2d"), err);
            assertTrue(err.contains("Scheduler stopped"), "the scheduler stops with the worker: " + err);
        }
        assertEquals(6, count(db, "keep.pgqueuer_log"), "recent log rows stay");
        assertEquals(1, count(db, "keep.pgqueuer_statistics"), "recent statistics stay");

        List<String> ticks = ticks(errs);
        assertEquals(ticks.size(), new HashSet<>(ticks).size(), "no tick ran twice: " + ticks);
        long logDeleted = 0;
        long statisticsDeleted = 0;
        for (CliProcess.Drain err : errs) {
            Matcher m = TICK.matcher(err.text());
            while (m.find()) {
                logDeleted += Long.parseLong(m.group(2));
                statisticsDeleted += Long.parseLong(m.group(3));
            }
        }
        assertEquals(40, logDeleted, "each old log row deleted once, by one tick of one process");
        assertEquals(9, statisticsDeleted, "each old statistics row deleted once");
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT count(*), min(expression) FROM keep.pgqueuer_schedules WHERE entrypoint = 'pgqj_retention'")) {
            rs.next();
            assertEquals(1, rs.getInt(1), "one schedule row shared by both");
            assertEquals("* * * * * *", rs.getString(2));
        }
    }

    @Test
    void badRetentionOptionsAreOneLine(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "bad");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        for (Bad bad : List.of(
                new Bad(List.of("--retention", "0s"), "--retention must be more than zero (got '0s')"),
                new Bad(List.of("--retention", "-7d"), "--retention must not be negative (got '-7d')"),
                new Bad(List.of("--retention", "a week"), "--retention 'a week' is not an age"),
                new Bad(List.of("--retention", "7d", "--retention-cron", "every hour"),
                        "--retention-cron: Invalid cron expression 'every hour'"),
                new Bad(List.of("--retention-statistics"),
                        "--retention-statistics and --retention-cron need --retention AGE"))) {
            List<String> args = new ArrayList<>(List.of("run", "org.pgqj.cli.TestFactories::echo"));
            args.addAll(bad.options());
            var r = CliProcess.finish(CliProcess.builder(db, env, TEST_CLASSES, args.toArray(String[]::new)).start(), 60);
            assertEquals(1, r.exitCode(), r.toString());
            assertEquals(1, r.err().strip().lines().count(), r.toString());
            assertTrue(r.err().contains(bad.message()), r.toString());
        }
        assertEquals(0, count(db, "bad.pgqueuer_schedules"), "nothing registered");
    }

    private static List<String> ticks(List<CliProcess.Drain> errs) {
        List<String> ticks = new ArrayList<>();
        for (CliProcess.Drain err : errs) {
            Matcher m = TICK.matcher(err.text());
            while (m.find()) {
                ticks.add(m.group(1));
            }
        }
        return ticks;
    }

    private static void sql(TestDatabase db, String sql) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static long count(TestDatabase db, String table) {
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("counting " + table, e);
        }
    }
}
