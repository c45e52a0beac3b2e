package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pgqj.codegen.Tables.PGQUEUER;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;

/**
 * {@link WorkerOptions#shutdownHook()} at process level: a worker JVM (ShutdownHookWorkerMain) gets
 * SIGTERM while a job runs. Sent with {@code kill -TERM}, because {@link Process#destroy()} also closes
 * the pipes we read the child's output from.
 */
@Tag("slow") // among the slowest classes of the suite (see .ci/run's per-class times)
@MigratedQueueTest
class WorkerShutdownHookTest {

    /** 128 + SIGTERM: the JVM ended because of the signal, not on its own. */
    private static final int EXIT_ON_SIGTERM = 143;

    private static TestDatabase db;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    /** With the hook, SIGTERM means a graceful close: the running job finishes and its outcome is written. */
    @Test
    void sigtermWithShutdownHookLetsTheRunningJobFinish(TestJobs jobs) throws Exception {
        long id = jobs.enqueue("hook_job", new byte[0]);
        Child child = Child.start(true, 1_500);
        try {
            child.awaitLine("STARTED " + id);
            assertEquals(PgqueuerStatus.picked, jobs.dsl().select(PGQUEUER.STATUS).from(PGQUEUER)
                    .where(PGQUEUER.ID.eq(id)).fetchOne(PGQUEUER.STATUS), "the job should be running when SIGTERM is sent");
            assertFalse(child.output().contains("FINISHED"), "too late: the job ended before SIGTERM");
            child.sigterm();
            assertEquals(EXIT_ON_SIGTERM, child.awaitExit(), child.output());
        } finally {
            child.kill();
        }
        assertTrue(child.output().contains("FINISHED " + id), "the hook should have waited for the job: " + child.output());
        assertEquals(0, jobs.queueCount(), "the finished job's row should be gone");
        assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked, PgqueuerStatus.successful), jobs.logStatuses(id));
    }

    /** The contrast: without the hook the JVM just ends, and the job is left picked for a rescue. */
    @Test
    void sigtermWithoutShutdownHookLeavesTheJobPicked(TestJobs jobs) throws Exception {
        long id = jobs.enqueue("hook_job", new byte[0]);
        Child child = Child.start(false, 60_000); // a job that cannot finish before the signal
        try {
            child.awaitLine("STARTED " + id);
            child.sigterm();
            assertEquals(EXIT_ON_SIGTERM, child.awaitExit(), child.output());
        } finally {
            child.kill();
        }
        assertEquals(PgqueuerStatus.picked, jobs.dsl().select(PGQUEUER.STATUS).from(PGQUEUER)
                .where(PGQUEUER.ID.eq(id)).fetchOne(PGQUEUER.STATUS));
        assertEquals(List.of(PgqueuerStatus.queued, PgqueuerStatus.picked), jobs.logStatuses(id));
    }

    /** The worker JVM, with its stdout and stderr collected line by line. */
    private record Child(Process process, List<String> lines) {

        static Child start(boolean shutdownHook, long handlerSleepMillis) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                    ShutdownHookWorkerMain.class.getName(), db.jdbcUrl(), db.user(), db.password(),
                    Boolean.toString(shutdownHook), Long.toString(handlerSleepMillis))
                    .redirectErrorStream(true)
                    .start();
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread.ofPlatform().name("child-output").daemon().start(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String line = out.readLine(); line != null; line = out.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException ignored) {
                    // the child is gone
                }
            });
            return new Child(p, lines);
        }

        void awaitLine(String line) throws InterruptedException {
            // A bound for a JVM to start, connect and claim, not a timing claim: generous for a loaded 2-core machine.
            Await.until("child prints '" + line + "'; output so far: " + lines, Duration.ofSeconds(90),
                    () -> lines.contains(line) || !process.isAlive());
            assertTrue(lines.contains(line), "child ended without '" + line + "': " + output());
        }

        void sigterm() throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -TERM " + process.pid());
        }

        int awaitExit() throws InterruptedException {
            assertTrue(process.waitFor(60, TimeUnit.SECONDS), "child still running after SIGTERM: " + output());
            return process.exitValue();
        }

        void kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }

        String output() {
            return String.join("\n", lines);
        }
    }
}
