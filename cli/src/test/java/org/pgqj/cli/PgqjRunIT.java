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
