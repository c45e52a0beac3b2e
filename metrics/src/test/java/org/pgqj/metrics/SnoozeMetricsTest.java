package org.pgqj.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.Tables;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.SnoozeRequested;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/** {@code pgqj.jobs.snoozed}: at zero from the worker's start, one per snooze, beside status {@code snoozed}. */
@QueueTest
class SnoozeMetricsTest {

    private static final QueueTables TABLES = QueueTables.defaults();
    private static TestDatabase db;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    @Test
    void snoozesAreCountedFromZero() throws Exception {
        DSLContext dsl = TABLES.dsl(db.dataSource());
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        WorkerMetrics metrics = WorkerMetrics.create(prometheus);
        try (Worker worker = Worker.builder(db.dataSource(), TABLES)
                .options(WorkerOptions.builder().interceptor(metrics).observer(metrics).build())
                .entrypoint("later", EntrypointOptions.defaults(), (job, ctx) -> {
                    throw new SnoozeRequested(Duration.ofHours(1), "not yet");
                })
                .entrypoint("now", EntrypointOptions.defaults(), (job, ctx) -> { }).build()) {
            worker.start();
            Map<String, Double> before = WorkerMetricsTest.samples(prometheus.scrape());
            assertEquals(0.0, before.get("pgqj_jobs_snoozed_total{entrypoint=\"later\"}"), before.keySet().toString());
            assertEquals(0.0, before.get("pgqj_jobs_snoozed_total{entrypoint=\"now\"}"));
            assertEquals(0.0, before.get("pgqj_jobs_completed_total{entrypoint=\"later\",status=\"snoozed\"}"));

            JobQueue queue = JobQueue.create(TABLES);
            for (int i = 0; i < 3; i++) {
                queue.enqueue(dsl, NewJob.of("later", null));
            }
            queue.enqueue(dsl, NewJob.of("now", null));
            Await.until("three snoozed and one done", Duration.ofSeconds(30), () ->
                    prometheus.get(WorkerMetrics.JOBS_SNOOZED).tags("entrypoint", "later").counter().count() == 3
                            && dsl.fetchCount(Tables.PGQUEUER) == 3);
            Map<String, Double> s = WorkerMetricsTest.samples(prometheus.scrape());
            assertEquals(3.0, s.get("pgqj_jobs_completed_total{entrypoint=\"later\",status=\"snoozed\"}"));
            assertEquals(0.0, s.get("pgqj_jobs_completed_total{entrypoint=\"later\",status=\"retried\"}"));
            assertEquals(0.0, s.get("pgqj_jobs_snoozed_total{entrypoint=\"now\"}"));
        }
    }
}
