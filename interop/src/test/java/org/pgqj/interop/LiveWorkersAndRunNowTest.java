package org.pgqj.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.admin.ActiveWorker;
import org.pgqj.admin.LiveWorker;
import org.pgqj.admin.LiveWorkers;
import org.pgqj.admin.QueueInspection;
import org.pgqj.admin.WorkerLanguage;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schedule.Schedules;
import org.pgqj.testing.Await;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.TestProcess;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;

/**
 * What the dashboard and {@code pgqj doctor} read about a real Python pgqueuer: its worker among the live workers
 * (idle, then busy with its running job attributed to its queue manager id), and its scheduler honouring "run now"
 * through pgqueuer_schedules.
 */
@ExtendWith(RequiresPython.class)
@QueueTest
@Timeout(180)
class LiveWorkersAndRunNowTest {

    private static final QueueTables TABLES = QueueTables.defaults();
    private static final QueueInspection INSPECT = QueueInspection.create(TABLES);

    @Test
    void aPythonWorkerIsSeenIdleAndBusyBesideAJavaWorker(TestDatabase db) throws Exception {
        try (PythonWorker py = PythonWorker.start(db, List.of(PythonWorker.entrypoint("py_live", "sleep_ms", 8_000)));
             Worker java = Interop.warmedUp(db, Worker.builder(db.dataSource(), TABLES)
                     .entrypoint("java_live", EntrypointOptions.defaults(), (job, ctx) -> { }))) {
            UUID pythonQm = UUID.fromString(py.events("ready").get(0).get("queue_manager_id").asText());
            Await.until("both workers are live", Duration.ofSeconds(30), () -> {
                LiveWorkers live = INSPECT.liveWorkers(Interop.dsl(db));
                return live.count(WorkerLanguage.JAVA) == 1 && live.count(WorkerLanguage.PYTHON) == 1;
            });
            LiveWorkers idle = INSPECT.liveWorkers(Interop.dsl(db));
            LiveWorker javaWorker = idle.workers().get(0);
            assertEquals(Optional.of(java.id()), javaWorker.workerId());
            LiveWorker pythonWorker = idle.workers().get(1);
            assertEquals(WorkerLanguage.PYTHON, pythonWorker.language());
            assertEquals(1, pythonWorker.sessions().size(), "pgqueuer runs a worker on one connection");
            assertEquals("", pythonWorker.sessions().get(0).applicationName(), "and names it nothing");
            assertTrue(pythonWorker.lastSignOfLife().isPresent());
            assertEquals(List.of(), idle.unattributedJobs());
            String idleStatement = lastStatement(db, pythonWorker.sessions().get(0).pid());
            // the python worker stays recognised over its whole cycle (probe every 10 s, queued-work checks)
            Await.holds("the idle Python worker stays recognised", Duration.ofSeconds(12),
                    () -> INSPECT.liveWorkers(Interop.dsl(db)).count(WorkerLanguage.PYTHON) == 1);

            JobQueue.create(TABLES).enqueue(Interop.dsl(db), NewJob.of("py_live", new byte[0]));
            py.awaitStarts(1, Duration.ofSeconds(30));
            LiveWorkers busy = INSPECT.liveWorkers(Interop.dsl(db));
            assertEquals(1, busy.count(WorkerLanguage.PYTHON), busy.toString());
            List<ActiveWorker> jobs = busy.unattributedJobs();
            assertEquals(List.of(pythonQm), jobs.stream().map(ActiveWorker::queueManagerId).toList(),
                    "its running job, under the queue manager id it printed");
            assertEquals(List.of("py_live"), jobs.get(0).entrypoints());
            String busyStatement = lastStatement(db, pythonWorker.sessions().get(0).pid());
            Interop.report("LiveWorkersAndRunNowTest.python", "python_sessions=1 application_name='' idle_last_statement='"
                    + idleStatement + "' busy_last_statement='" + busyStatement + "'");
            py.stop();
            Await.until("the stopped Python worker is gone", Duration.ofSeconds(30),
                    () -> INSPECT.liveWorkers(Interop.dsl(db)).count(WorkerLanguage.PYTHON) == 0);
        }
    }

    @Test
    void aPythonSchedulerRunsARowMadeDueByRunNowAtItsNextWake(TestDatabase db) throws Exception {
        String yearly = "0 0 1 1 *";
        // a first Python scheduler registers the row; it is not due (next New Year), so nothing runs
        TestProcess.Result first = runScheduler(db, yearly, 4);
        assertEquals(List.of(), ticks(first), first::toString);
        long id = Schedules.list(TABLES, db.dataSource()).get(0).id();
        Instant yearlyRun = Schedules.list(TABLES, db.dataSource()).get(0).nextRun();

        assertTrue(Schedules.runNow(TABLES, Interop.dsl(db), id));
        // pgqueuer 1.6's SchedulerManager sleeps until its own next fire time, so "run now" is honoured at its next
        // wake: here its start, which claims every due row at once
        TestProcess.Result second = runScheduler(db, yearly, 6);
        List<JsonNode> ticks = ticks(second);
        assertEquals(1, ticks.size(), second::toString);
        assertEquals(id, ticks.get(0).get("schedule_id").asLong());
        var row = Schedules.list(TABLES, db.dataSource()).get(0);
        assertTrue(row.lastRun().isPresent(), row.toString());
        assertTrue(Duration.between(yearlyRun, row.nextRun()).abs().toSeconds() <= 1,
                "the Python claim set the next yearly run again: " + yearlyRun + " vs " + row.nextRun());
        assertFalse(Schedules.runNow(TABLES, Interop.dsl(db), id + 1), "no such schedule");
        Interop.report("LiveWorkersAndRunNowTest.runNow", "python_scheduler_ticks_before=0 after_run_now=1");
    }

    private static TestProcess.Result runScheduler(TestDatabase db, String expression, double seconds) {
        try (TestProcess p = Interop.startPython(db, "schedule", "--expression", expression, "--entrypoint", "py_yearly",
                "--seconds", Double.toString(seconds))) {
            Interop.await(p, "ready", 1, Duration.ofSeconds(60));
            TestProcess.Result r = p.finish(Duration.ofSeconds((long) seconds + 60));
            assertEquals(0, r.exitCode(), r::toString);
            return r;
        }
    }

    private static List<JsonNode> ticks(TestProcess.Result r) {
        return new ArrayList<>(Interop.events(r.out()).stream().filter(e -> e.get("event").asText().equals("tick")).toList());
    }

    private static String lastStatement(TestDatabase db, int pid) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT regexp_replace(left(query, 60), '\\s+', ' ', 'g') FROM pg_stat_activity "
                     + "WHERE pid = " + pid)) {
            return rs.next() ? rs.getString(1) : "(gone)";
        }
    }
}
