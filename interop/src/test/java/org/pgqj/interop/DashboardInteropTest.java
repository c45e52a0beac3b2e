package org.pgqj.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.Await;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.TestProcess;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * Jobs run by both languages, their log rows folded into statistics partly by Python's aggregation and
 * partly by Java's: {@code pgq dashboard} and {@code pgqj dashboard} show the same counts per entrypoint and
 * status, and both equal the log table's.
 */
@ExtendWith(RequiresPython.class)
@QueueTest
@Timeout(180)
class DashboardInteropTest {

    @Test
    void pgqAndPgqjDashboardsAgree(TestDatabase db) throws Exception {
        JobQueue queue = JobQueue.create(QueueTables.defaults());
        try (PythonWorker py = PythonWorker.start(db, List.of(PythonWorker.entrypoint("dash_py"),
                     PythonWorker.entrypoint("dash_py_fail", "mode", "fail")));
             Worker worker = Interop.warmedUp(db, Worker.builder(db.dataSource(), QueueTables.defaults())
                     .entrypoint("dash_java", EntrypointOptions.defaults(), (job, ctx) -> { })
                     .entrypoint("dash_java_fail", EntrypointOptions.defaults(), (job, ctx) -> {
                         throw new IllegalStateException("interop: fails on purpose");
                     }), WorkerOptions.builder().statisticsInterval(Duration.ofMinutes(10)))) {
            runRound(db, queue, py, 0);
            Interop.runPython(db, "aggregate"); // Python folds the first round
            runRound(db, queue, py, 1);          // pgqj dashboard folds the second
        }
        TestProcess.Result pgqj = Interop.pgqj(db, "dashboard", "--window", "3600", "-n", "1000");
        assertEquals(0, pgqj.exitCode(), pgqj::toString);
        ProcessBuilder pb = Interop.python().process(db.postgresUrl(), "pgq", "dashboard", "-n", "1000");
        pb.environment().put("PGQUEUER_TABLEFMT", "tsv");
        TestProcess.Result pgq = TestProcess.run("pgq dashboard", pb, Duration.ofSeconds(90));
        assertEquals(0, pgq.exitCode(), pgq::toString);

        Map<String, Long> fromLog = fromLog(db);
        Map<String, Long> fromPgqj = parsePgqj(pgqj.out());
        Map<String, Long> fromPgq = parsePgq(pgq.out());
        assertEquals(fromLog, fromPgqj, "pgqj dashboard vs pgqueuer_log\n" + pgqj);
        assertEquals(fromLog, fromPgq, "pgq dashboard vs pgqueuer_log\n" + pgq);
        assertEquals(0, Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer_log WHERE NOT aggregated"));
        Interop.report("DashboardInteropTest.pgqAndPgqjDashboardsAgree", "keys=" + fromLog.size() + " log_rows="
                + fromLog.values().stream().mapToLong(Long::longValue).sum() + " " + fromLog.toString().replace(' ', '_'));
    }

    /** 6 + 2 jobs per language per round; waits until all are done. */
    private static void runRound(TestDatabase db, JobQueue queue, PythonWorker py, int round) throws Exception {
        List<NewJob> jobs = new ArrayList<>();
        for (String ep : List.of("dash_py", "dash_java")) {
            for (int i = 0; i < 6; i++) {
                jobs.add(NewJob.builder(ep).priority(i % 2).build());
            }
            jobs.add(NewJob.of(ep + "_fail", new byte[0]));
            jobs.add(NewJob.of(ep + "_fail", new byte[0]));
        }
        queue.enqueueAll(Interop.dsl(db), jobs);
        py.awaitEvents("end", 1 + 8 * (round + 1), Duration.ofSeconds(60));
        Await.until("an empty queue table", Duration.ofSeconds(30),
                () -> Interop.count(db.dataSource(), "SELECT count(*) FROM pgqueuer") == 0);
    }

    private static Map<String, Long> fromLog(TestDatabase db) throws Exception {
        Map<String, Long> counts = new TreeMap<>();
        try (Connection c = db.connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT entrypoint, status::text, count(*) FROM pgqueuer_log "
                     + "WHERE entrypoint LIKE 'dash%' GROUP BY 1, 2")) {
            while (rs.next()) {
                counts.put(rs.getString(1) + "/" + rs.getString(2), rs.getLong(3));
            }
        }
        return counts;
    }

    /** pgqj dashboard's "Throughput" table: entrypoint | status | jobs | jobs/s. */
    private static Map<String, Long> parsePgqj(List<String> out) {
        Map<String, Long> counts = new TreeMap<>();
        boolean inThroughput = false;
        for (String line : out) {
            if (line.startsWith("Throughput")) {
                inThroughput = true;
                continue;
            }
            String[] cells = line.split("\\s*\\|\\s*");
            if (inThroughput && cells.length == 4 && cells[0].trim().startsWith("dash")) {
                counts.merge(cells[0].trim() + "/" + cells[1].trim(), Long.parseLong(cells[2].trim()), Long::sum);
            }
        }
        return counts;
    }

    /** pgq dashboard with PGQUEUER_TABLEFMT=tsv: Created, Count, Entrypoint, Status, Priority. */
    private static Map<String, Long> parsePgq(List<String> out) {
        Map<String, Long> counts = new TreeMap<>();
        for (String line : out) {
            String[] cells = line.replaceAll("\u001b\\[[0-9;]*[A-Za-z]", "").split("\t");
            if (cells.length == 5 && cells[2].trim().startsWith("dash")) {
                counts.merge(cells[2].trim() + "/" + cells[3].trim(), Long.parseLong(cells[1].trim()), Long::sum);
            }
        }
        return counts;
    }
}
