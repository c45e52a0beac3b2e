package org.pgqj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** `pgqj run FACTORY`: a real worker process, drained, stopped by SIGTERM, or given a bad factory. */
@Tag("slow") // among the slowest classes of the suite (see .ci/run's per-class times)
@ExtendWith(PostgresExtension.class)
class PgqjRunIT {

    private static final String TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath().toString();

    @Test
    void drainsTheQueueWithTheFactorysWorker(TestDatabase db) throws Exception {
        assertEquals(0, CliProcess.run(db, "install").exitCode());
        for (int i = 0; i < 3; i++) {
            assertEquals(0, CliProcess.run(db, "queue", "echo", "hi " + i).exitCode());
        }
        var run = CliProcess.finish(CliProcess.builder(db, Map.of(), TEST_CLASSES,
                "run", "org.pgqj.cli.TestFactories::echo", "--mode", "drain", "--batch-size", "2").start(), 60);
        assertEquals(0, run.exitCode(), run.toString());
        assertEquals(3, successful(db, "echo"), run.toString());
    }

    @Test
    void noListenPollsWithoutALISTENConnection(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "nolisten");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        for (int i = 0; i < 3; i++) {
            assertEquals(0, CliProcess.run(db, env, "queue", "echo", "hi " + i).exitCode());
        }
        var run = CliProcess.finish(CliProcess.builder(db, env, TEST_CLASSES, "run", "org.pgqj.cli.TestFactories::echo",
                "--mode", "drain", "--no-listen", "--poll-interval", "0.2").start(), 60);
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.err().contains("listen=false, pollInterval=PT0.2S"), run.toString());
        assertEquals(3, successful(db, "echo", "nolisten"), run.toString());
    }

    @Test
    void sigtermLetsTheRunningJobFinish(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "sigterm");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        Process worker = CliProcess.builder(db, env, TEST_CLASSES, "run", "org.pgqj.cli.TestFactories::echo").start();
        var out = CliProcess.drain(worker.getInputStream());
        var err = CliProcess.drain(worker.getErrorStream());
        assertEquals(0, CliProcess.run(db, env, "queue", "slow").exitCode());
        Await.until("'slow job' on stderr", Duration.ofSeconds(30), () -> err.text().contains("slow job"));
        // a real SIGTERM, as a container runtime sends; Process.destroy() would also close our pipes
        new ProcessBuilder("kill", "-TERM", Long.toString(worker.pid())).start().waitFor();
        assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "worker exits after SIGTERM");
        out.join();
        err.join();
        assertTrue(err.text().contains("stopping the worker gracefully"), "exit " + worker.exitValue() + ": " + err.text());
        assertEquals(1, successful(db, "slow", "sigterm"), "the running job finished before exit:\n" + err.text());
    }

    @Test
    void aSecondSignalStopsAtOnce(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "twice");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        Process worker = CliProcess.builder(db, env, TEST_CLASSES, "run", "org.pgqj.cli.TestFactories::echo").start();
        var out = CliProcess.drain(worker.getInputStream());
        var err = CliProcess.drain(worker.getErrorStream());
        assertEquals(0, CliProcess.run(db, env, "queue", "sleepy").exitCode());
        awaitText(err, "sleepy job");
        new ProcessBuilder("kill", "-INT", Long.toString(worker.pid())).start().waitFor();
        awaitText(err, "stopping the worker gracefully");
        Await.holds("the first signal waits for the 2-minute job", Duration.ofMillis(500), worker::isAlive);
        long second = System.nanoTime();
        new ProcessBuilder("kill", "-TERM", Long.toString(worker.pid())).start().waitFor();
        assertTrue(worker.waitFor(10, TimeUnit.SECONDS), "the second signal stops at once: " + err.text());
        long millis = (System.nanoTime() - second) / 1_000_000;
        out.join();
        err.join();
        assertEquals(128 + 15, worker.exitValue(), err.text());
        assertTrue(err.text().contains("Second signal SIGTERM received: stopping at once"), err.text());
        assertTrue(millis < 5_000, "stopped " + millis + " ms after the second signal");
        try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                "SELECT status FROM twice.pgqueuer WHERE entrypoint = 'sleepy'")) {
            assertTrue(rs.next());
            assertEquals("picked", rs.getString(1), "the job stays picked, for another worker after its heartbeat times out");
        }
    }

    @Test
    void shutdownOnListenerFailureStopsTheWorker(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "deaf");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        Process worker = CliProcess.builder(db, env, TEST_CLASSES, "run", "org.pgqj.cli.TestFactories::echo",
                "--shutdown-on-listener-failure").start();
        var out = CliProcess.drain(worker.getInputStream());
        var err = CliProcess.drain(worker.getErrorStream());
        awaitText(err, "running (continuous mode");
        // kill the worker's LISTEN session from outside, as a failover or an admin would
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        int killed = 0;
        while (killed == 0 && System.nanoTime() < deadline) {
            try (Connection c = db.connect(); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                            + "WHERE application_name LIKE 'pgqj-listener-%' AND datname = current_database()")) {
                rs.next();
                killed = rs.getInt(1);
            }
            Thread.sleep(100);
        }
        assertEquals(1, killed, err.text());
        assertTrue(worker.waitFor(30, TimeUnit.SECONDS), "the worker stops when its listener fails: " + err.text());
        out.join();
        err.join();
        assertEquals(1, worker.exitValue(), err.text());
        assertTrue(err.text().contains("shutting down (--shutdown-on-listener-failure)"), err.text());
    }

    private static void awaitText(CliProcess.Drain stream, String text) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!stream.text().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(stream.text().contains(text), "waiting for '" + text + "': " + stream.text());
    }

    @Test
    void unknownFactoryIsOneClearLine(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "unknown");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        var missing = CliProcess.run(db, env, "run", "com.example.NoSuchFactory");
        assertEquals(1, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("Unknown factory 'com.example.NoSuchFactory'"), missing.toString());
        var noMethod = CliProcess.finish(CliProcess.builder(db, env, TEST_CLASSES, "run", "org.pgqj.cli.TestFactories::nope").start(), 60);
        assertEquals(1, noMethod.exitCode(), noMethod.toString());
        assertTrue(noMethod.err().contains("has no public static method nope"), noMethod.toString());
    }

    private static long successful(TestDatabase db, String entrypoint) throws Exception {
        return successful(db, entrypoint, "public");
    }

    private static long successful(TestDatabase db, String entrypoint, String schema) throws Exception {
        try (Connection c = db.connect(); var ps = c.prepareStatement(
                "SELECT count(*) FROM " + schema + ".pgqueuer_log WHERE entrypoint = ? AND status = 'successful'")) {
            ps.setString(1, entrypoint);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
