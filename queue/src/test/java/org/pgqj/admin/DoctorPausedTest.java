package org.pgqj.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.ControlsSchema;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.MigratedQueueTest;
import org.pgqj.worker.Worker;

/** The doctor names a paused entrypoint's waiting jobs as paused (who, since when), not as unserved. */
@MigratedQueueTest
class DoctorPausedTest {

    @Test
    void dueJobsOfAPausedEntrypointArePausedNotUnserved(TestDatabase db) throws InterruptedException {
        QueueTables t = QueueTables.defaults();
        ControlsSchema.forDataSource(db.dataSource()).install();
        var dsl = t.dsl(db.dataSource());
        JobQueue queue = JobQueue.create(t);
        for (String entrypoint : List.of("charge_card", "charge_card", "nobody_serves")) {
            queue.enqueue(dsl, NewJob.of(entrypoint, new byte[0]));
        }
        dsl.execute("UPDATE pgqueuer SET execute_after = now() - interval '10 minutes'");
        dsl.transaction(cfg -> QueueAdmin.create(t).pause(DSL.using(cfg), "charge_card", "alice"));
        try (Worker worker = Worker.builder(db.dataSource(), t)
                .entrypoint("something_else", EntrypointOptions.defaults(), (job, ctx) -> { }).build().start()) {
            Await.until("the worker is live", Duration.ofSeconds(10), worker::isListening);
            DoctorReport report = QueueDoctor.create(t).examine(db.dataSource());

            List<DoctorFinding> paused = report.findings().stream()
                    .filter(f -> f.check() == DoctorFinding.Check.PAUSED).toList();
            assertEquals(1, paused.size(), report.findings().toString());
            DoctorFinding p = paused.getFirst();
            assertEquals(DoctorFinding.Severity.WARNING, p.severity());
            assertEquals("charge_card", p.subject());
            assertTrue(p.problem().startsWith("2 due jobs waiting, the oldest for ") && p.problem().contains(
                    "'charge_card' is paused for every Java worker, by alice for "), p.problem());
            assertTrue(p.advice().startsWith("Resume it once its cause is fixed: pgqj resume charge_card"), p.advice());
            assertEquals(List.of("nobody_serves"), report.findings().stream()
                    .filter(f -> f.check() == DoctorFinding.Check.UNSERVED_ENTRYPOINT).map(DoctorFinding::subject).toList(),
                    "the paused entrypoint is not reported unserved");
        }
    }
}
