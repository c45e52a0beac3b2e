package org.pgqj.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.TestProcess;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.SnoozeRequested;
import org.pgqj.worker.Worker;

/**
 * A Java snooze (issue 29) is a normal queued job to Python pgqueuer: its log row is the one {@code pgq requeue}
 * writes, pgqueuer's statistics count it as any {@code queued} row, and a Python worker runs it once it is due,
 * its {@code attempts} unchanged.
 */
@ExtendWith(RequiresPython.class)
@QueueTest
@Timeout(240)
class SnoozeInteropTest {

    static final JobQueue QUEUE = JobQueue.create(QueueTables.defaults());

    @Test
    void javaSnoozeRunsOnPythonWithAttemptsUnchanged(TestDatabase db) throws Exception {
        long snoozed = QUEUE.enqueue(Interop.dsl(db), NewJob.builder("snooze_java").priority(3).payload("{}".getBytes()).build());
        CountDownLatch ran = new CountDownLatch(1);
        try (Worker worker = Interop.warmedUp(db, Worker.builder(db.dataSource(), QueueTables.defaults())
                .entrypoint("snooze_java", EntrypointOptions.defaults(), (job, ctx) -> {
                    ran.countDown();
                    throw new SnoozeRequested(Duration.ofSeconds(3), "interop: come back later");
                }))) {
            assertTrue(ran.await(30, TimeUnit.SECONDS), "snooze_java did not run on the Java worker");
        } // closed: the snooze is written
        assertEquals(1, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer WHERE id = ? AND status = 'queued' "
                + "AND attempts = 0 AND queue_manager_id IS NULL AND execute_after - updated = interval '3 seconds'", snoozed));

        // pgqueuer's own requeue of a held job, for the log row it writes
        long held = QUEUE.enqueue(Interop.dsl(db), NewJob.builder("held_py").priority(3).payload("{}".getBytes()).build());
        try (PythonWorker py = PythonWorker.start(db, List.of(PythonWorker.entrypoint("held_py", "mode", "fail",
                "on_failure", "hold")), c -> c.put("max_jobs", 1))) {
            py.awaitStarts(1, Duration.ofSeconds(30));
            assertEquals(0, py.finish(Duration.ofSeconds(30)).exitCode());
        }
        TestProcess.Result requeue = Interop.pgq(db, "requeue", Long.toString(held));
        assertEquals(0, requeue.exitCode(), requeue::toString);
        String lastLogRow = "SELECT status::text || '|' || priority || '|' || (traceback IS NULL) || '|' || aggregated "
                + "FROM pgqueuer_log WHERE job_id = ? ORDER BY id DESC LIMIT 1";
        assertEquals(text(db.dataSource(), lastLogRow, held), text(db.dataSource(), lastLogRow, snoozed),
                "the snooze's log row is the one pgq requeue writes");
        assertEquals("queued|3|true|false", text(db.dataSource(), lastLogRow, snoozed));

        try (PythonWorker py = PythonWorker.start(db, List.of(PythonWorker.entrypoint("snooze_java"),
                PythonWorker.entrypoint("held_py")))) {
            JsonNode seen = py.awaitStarts(2, Duration.ofSeconds(30)).stream()
                    .filter(e -> e.get("id").asLong() == snoozed).findFirst().orElseThrow();
            assertEquals(snoozed, seen.get("id").asLong());
            assertEquals(0, seen.get("attempts").asInt(), "a snooze counts no attempt");
            long picked = Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer_log WHERE job_id = ? AND status = 'picked' "
                    + "AND created >= (SELECT created + interval '3 seconds' FROM pgqueuer_log WHERE job_id = ? AND status = 'queued' "
                    + "ORDER BY id DESC LIMIT 1)", snoozed, snoozed);
            assertEquals(1, picked, "Python picked it once it was due, not before");
            Interop.awaitEmptyQueue(db);
        }
        assertEquals(List.of("queued", "picked", "queued", "picked", "successful"), texts(db.dataSource(),
                "SELECT status::text FROM pgqueuer_log WHERE job_id = ? ORDER BY id", snoozed));

        Interop.runPython(db, "aggregate"); // pgqueuer's statistics count the snooze as a queued transition
        assertEquals(2, Interop.count(db.dataSource(), "SELECT coalesce(sum(count), 0) FROM pgqueuer_statistics "
                + "WHERE entrypoint = 'snooze_java' AND status = 'queued'"));
        Interop.report("SnoozeInteropTest.javaSnoozeRunsOnPythonWithAttemptsUnchanged",
                "jobs=1 attempts_seen_by_python=0 lost=0 twice=0");
    }

    private static String text(DataSource ds, String sql, long id) throws SQLException {
        return texts(ds, sql, id).getFirst();
    }

    /** The first column of every row {@code sql} returns for job {@code id}, as text. */
    private static List<String> texts(DataSource ds, String sql, long id) throws SQLException {
        try (Connection c = ds.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            List<String> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
            return out;
        }
    }
}
