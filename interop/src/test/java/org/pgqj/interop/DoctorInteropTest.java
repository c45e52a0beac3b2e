package org.pgqj.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.admin.DoctorFinding;
import org.pgqj.admin.DoctorFinding.Check;
import org.pgqj.admin.DoctorOptions;
import org.pgqj.admin.DoctorReport;
import org.pgqj.admin.QueueDoctor;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.Await;
import org.pgqj.testing.RequiresPython;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * The doctor's fleet findings with real workers of both languages on one database: no worker connected at all, then
 * a Python worker that serves another entrypoint (the finding names it), then a Java worker that serves it; the
 * Python pod that alone served
 * an entrypoint goes away and its jobs wait (unserved) while the Java worker's entrypoint is served; a Python worker
 * declaring a higher concurrency limit than the Java one, and one declaring a limit beside a Java worker declaring
 * none, show in the picked rows.
 */
@ExtendWith(RequiresPython.class)
@QueueTest
@Timeout(240)
class DoctorInteropTest {

    private static final QueueTables TABLES = QueueTables.defaults();

    private static List<DoctorFinding> findings(DoctorReport report, Check check) {
        return report.findings().stream().filter(f -> f.check() == check).toList();
    }

    private static void enqueue(TestDatabase db, String entrypoint, int n) {
        List<NewJob> jobs = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            jobs.add(NewJob.of(entrypoint, ("{\"i\": " + i + "}").getBytes()));
        }
        JobQueue.create(TABLES).enqueueAll(TABLES.dsl(db.dataSource()), jobs);
    }

    @Test
    void theOnlyWorkerOfAnEntrypointScaledToZero(TestDatabase db) throws Exception {
        QueueDoctor doctor = QueueDoctor.create(TABLES, DoctorOptions.builder().waitingAfter(Duration.ofSeconds(3)).build());
        Runs java = new Runs();
        try (Worker worker = Interop.warmedUp(db, Worker.builder(db.dataSource(), TABLES)
                .entrypoint("index_article", EntrypointOptions.defaults(), (job, ctx) -> java.started(job)))) {
            try (PythonWorker python = PythonWorker.start(db, List.of(PythonWorker.entrypoint("send_welcome")))) {
                enqueue(db, "send_welcome", 3);
                python.awaitStarts(3, Duration.ofSeconds(30));
                python.stop(); // the pod is scaled to zero
            }

            enqueue(db, "send_welcome", 2);
            enqueue(db, "index_article", 2);
            java.awaitDistinct(2, Duration.ofSeconds(30));
            AtomicReference<DoctorReport> report = new AtomicReference<>();
            Await.until("send_welcome unserved", Duration.ofSeconds(30), () -> {
                report.set(doctor.examine(db.dataSource()));
                return !findings(report.get(), Check.UNSERVED_ENTRYPOINT).isEmpty();
            });
            List<DoctorFinding> unserved = findings(report.get(), Check.UNSERVED_ENTRYPOINT);
            assertEquals(List.of("send_welcome"), unserved.stream().map(DoctorFinding::subject).toList());
            assertTrue(unserved.get(0).problem().startsWith("2 due jobs waiting"), unserved.get(0).problem());
            assertEquals(2, report.get().exitCode());

            // a Python worker comes back: the jobs run and the doctor has nothing more to say about them
            try (PythonWorker again = PythonWorker.start(db, List.of(PythonWorker.entrypoint("send_welcome")))) {
                again.awaitStarts(2, Duration.ofSeconds(30));
                Await.until("send_welcome served again", Duration.ofSeconds(30), () -> findings(
                        doctor.examine(db.dataSource()), Check.UNSERVED_ENTRYPOINT).isEmpty());
                again.stop();
            }
            Interop.report("DoctorInteropTest.theOnlyWorkerOfAnEntrypointScaledToZero",
                    "unserved=send_welcome served=index_article exit_code=2");
        }
    }

    @Test
    void noWorkerThenAPythonWorkerServingSomethingElseThenAJavaWorkerServingIt(TestDatabase db) throws Exception {
        QueueDoctor doctor = QueueDoctor.create(TABLES, DoctorOptions.builder().waitingAfter(Duration.ofSeconds(3)).build());
        enqueue(db, "send_invoice", 2);

        // nothing connected: one error at once, before any threshold passes
        DoctorReport nobody = doctor.examine(db.dataSource());
        List<DoctorFinding> none = findings(nobody, Check.NO_LIVE_WORKER);
        assertEquals(1, none.size(), nobody::toString);
        assertTrue(none.get(0).problem().startsWith("2 due jobs waiting (send_invoice: 2; "), none.get(0).problem());
        assertTrue(none.get(0).problem().contains("no Java worker (pgqj-listener-...) and no Python pgqueuer worker"),
                none.get(0).problem());
        assertEquals(List.of(), findings(nobody, Check.UNSERVED_ENTRYPOINT));

        try (PythonWorker python = PythonWorker.start(db, List.of(PythonWorker.entrypoint("send_welcome")))) {
            // the fleet is up (a Python worker), but nobody serves send_invoice: the finding says which workers are there
            AtomicReference<DoctorReport> report = new AtomicReference<>();
            Await.until("send_invoice unserved beside a live Python worker", Duration.ofSeconds(30), () -> {
                report.set(doctor.examine(db.dataSource()));
                return !findings(report.get(), Check.UNSERVED_ENTRYPOINT).isEmpty();
            });
            assertEquals(List.of(), findings(report.get(), Check.NO_LIVE_WORKER), report.get()::toString);
            DoctorFinding unserved = findings(report.get(), Check.UNSERVED_ENTRYPOINT).get(0);
            assertEquals("send_invoice", unserved.subject());
            assertTrue(unserved.problem().contains("Connected now: 0 Java workers and 1 Python worker, so it is this "
                    + "entrypoint that no worker serves, not the fleet that is down"), unserved.problem());

            // a Java worker that registers it: the jobs run, and the doctor has nothing to say
            Runs java = new Runs();
            try (Worker worker = Interop.warmedUp(db, Worker.builder(db.dataSource(), TABLES)
                    .entrypoint("send_invoice", EntrypointOptions.defaults(), (job, ctx) -> java.started(job)))) {
                java.awaitDistinct(2, Duration.ofSeconds(30));
                Await.until("nothing more to say", Duration.ofSeconds(30), () -> {
                    report.set(doctor.examine(db.dataSource()));
                    return report.get().findings().isEmpty();
                });
            }
            python.stop();
            Interop.report("DoctorInteropTest.noWorkerThenPythonThenJava",
                    "nobody=NO_LIVE_WORKER python_only=UNSERVED_ENTRYPOINT java_serving=none");
        }
    }

    @Test
    void workersDeclaringDifferentConcurrencyLimits(TestDatabase db) throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        // this application (the Java worker) declares 2 for 'limited' and nothing for 'mixed'
        QueueDoctor doctor = QueueDoctor.create(TABLES, DoctorOptions.builder().concurrencyLimit("limited", 2).build());
        List<Map<String, Object>> python = List.of(
                PythonWorker.entrypoint("limited", "concurrency_limit", 4, "sleep_ms", 90_000),
                PythonWorker.entrypoint("mixed", "concurrency_limit", 2, "sleep_ms", 90_000));
        try (PythonWorker py = PythonWorker.start(db, python)) {
            enqueue(db, "limited", 8);
            enqueue(db, "mixed", 8);
            // the Python worker first takes what its limits allow (4 + 2, in slots), so the Java worker, started only
            // then, can take no 'limited' job (4 running, its limit is 2) and 3 'mixed' ones (no limit, no slot)
            py.awaitStarts(6, Duration.ofSeconds(30));
            // no warm-up job: the three 'mixed' jobs it takes at once would leave it no room to run one
            try (Worker worker = Worker.builder(db.dataSource(), TABLES)
                    .entrypoint("limited", EntrypointOptions.builder().concurrencyLimit(2).build(), (job, ctx) -> hold(release))
                    .entrypoint("mixed", EntrypointOptions.defaults(), (job, ctx) -> hold(release))
                    .options(WorkerOptions.builder().maxConcurrentJobs(3).build()).build().start()) {
                AtomicReference<DoctorReport> report = new AtomicReference<>();
                try {
                    Await.until("both disagreements visible", Duration.ofSeconds(90), () -> {
                        report.set(doctor.examine(db.dataSource()));
                        return findings(report.get(), Check.CONCURRENCY_LIMIT).size() == 2;
                    });
                } catch (AssertionError e) {
                    throw new AssertionError(e.getMessage() + "; last findings " + report.get().findings() + "; picked rows "
                            + "(entrypoint, slot, worker): " + picked(db), e);
                }
                List<DoctorFinding> found = findings(report.get(), Check.CONCURRENCY_LIMIT);
                assertEquals("limited", found.get(0).subject());
                assertTrue(found.get(0).problem().contains("while this application declares a limit of 2: another worker "
                        + "declares a higher one"), found.get(0).problem());
                assertEquals("mixed", found.get(1).subject());
                assertTrue(found.get(1).problem().contains("some workers declare a limit for 'mixed' and others none"),
                        found.get(1).problem());
                assertTrue(found.get(1).problem().contains("; without: Java worker " + worker.id() + " runs 3"),
                        found.get(1).problem());
                Interop.report("DoctorInteropTest.workersDeclaringDifferentConcurrencyLimits",
                        "findings=" + found.size() + " python_limits=4,2 java_limits=2,none");
                release.countDown(); // before the worker's close, which waits for its running handlers
            }
        }
    }

    private static void hold(CountDownLatch release) throws InterruptedException {
        release.await(120, TimeUnit.SECONDS);
    }

    private static List<String> picked(TestDatabase db) throws java.sql.SQLException {
        List<String> rows = new ArrayList<>();
        try (var c = db.connect(); var s = c.createStatement(); var rs = s.executeQuery("SELECT entrypoint, slot, "
                + "queue_manager_id FROM pgqueuer WHERE status = 'picked' ORDER BY entrypoint, slot")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + "/" + rs.getString(2) + "/" + rs.getString(3));
            }
        }
        return rows;
    }
}
