package org.pgqj.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.ControlsSchema;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/** {@code pgqj install --controls}, {@code pgqj pause|resume ENTRYPOINT} as processes, against a live Java worker. */
@ExtendWith(PostgresExtension.class)
class PgqjPauseIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void pauseAndResumeAnEntrypointOfALiveWorkerAndSayWhenPythonMayServeIt(TestDatabase db) throws Exception {
        assertEquals(0, CliProcess.run(db, "install").exitCode());
        CliProcess.Result refused = CliProcess.run(db, "pause", "mail");
        assertEquals(1, refused.exitCode(), refused.toString());
        assertTrue(refused.err().contains("pgqj install --controls"), "names the install step: " + refused);

        CliProcess.Result installed = CliProcess.run(db, "install", "--controls");
        assertTrue(installed.out().contains("pgqj control tables installed"), installed.toString());
        assertEquals("No entrypoint is paused.", CliProcess.run(db, "pause", "--list").out().strip());

        AtomicInteger ran = new AtomicInteger();
        JobQueue queue = JobQueue.create(QueueTables.defaults());
        try (Worker worker = Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("mail", EntrypointOptions.defaults(), (job, ctx) -> ran.incrementAndGet())
                .options(WorkerOptions.builder().dequeueTimeout(Duration.ofMinutes(10))
                        .pauseRecheckInterval(Duration.ofMinutes(10)).build())
                .build().start()) {
            CliProcess.Result paused = CliProcess.run(db, "pause", "mail", "--by", "ops on call");
            assertEquals(0, paused.exitCode(), paused.toString());
            assertEquals("paused 'mail' for every Java worker", paused.out().strip());
            assertEquals("", paused.err().strip(), "no Python worker in sight");
            Await.until("the worker heard of the pause", WAIT, () -> worker.pausedEntrypoints().contains("mail"));
            queue.enqueue(QueueTables.defaults().dsl(db.dataSource()), NewJob.of("mail", "{}".getBytes(UTF_8)));
            Await.holds("not run while paused", Duration.ofSeconds(1), () -> ran.get() == 0);

            CliProcess.Result list = CliProcess.run(db, "pause", "--list");
            assertTrue(list.out().contains("mail") && list.out().contains("ops on call"), list.toString());
            assertEquals("'mail' was already paused", CliProcess.run(db, "pause", "mail").out().strip());

            // a session that LISTENs on pgqueuer's channel, as a Python worker's does
            try (Connection python = db.connect(); Statement st = python.createStatement()) {
                st.execute("LISTEN ch_pgqueuer");
                CliProcess.Result warned = CliProcess.run(db, "pause", "mail");
                assertTrue(warned.err().contains("warning: Python workers do not know about pause")
                        && warned.err().contains("1 live Python worker"), warned.toString());
            }

            CliProcess.Result resumed = CliProcess.run(db, "resume", "mail");
            assertEquals("resumed 'mail' for every Java worker", resumed.out().strip(), resumed.toString());
            Await.until("run at once after the resume (a 10-minute poll cannot explain it)", WAIT, () -> ran.get() == 1);
            assertEquals("'mail' was not paused", CliProcess.run(db, "resume", "mail").out().strip());
        }
        assertEquals(0, CliProcess.run(db, "pause", "mail").exitCode());
        CliProcess.Result uninstalled = CliProcess.run(db, "uninstall", "--controls");
        assertTrue(uninstalled.out().contains("pgqj control tables removed"), uninstalled.toString());
        assertFalse(ControlsSchema.forDataSource(db.dataSource()).isInstalled(), "the pause went with the tables");
    }
}
