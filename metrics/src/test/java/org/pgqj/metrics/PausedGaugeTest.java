package org.pgqj.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Set;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.ControlsSchema;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/** pgqj.entrypoint.paused follows a worker's pauses: in code and for every Java worker, scraped as Prometheus text. */
@QueueTest
class PausedGaugeTest {

    private static final QueueTables TABLES = QueueTables.defaults();

    @Test
    void theGaugeIsOneWhilePausedAndZeroOtherwise(TestDatabase db) throws Exception {
        ControlsSchema.forDataSource(db.dataSource()).install();
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        WorkerMetrics metrics = WorkerMetrics.create(prometheus);
        QueueAdmin admin = QueueAdmin.create(TABLES);
        var dsl = TABLES.dsl(db.dataSource());
        try (Worker worker = Worker.builder(db.dataSource(), TABLES)
                .options(WorkerOptions.builder().interceptor(metrics).observer(metrics).build())
                .entrypoint("mail", EntrypointOptions.defaults(), (job, ctx) -> { })
                .entrypoint("report", EntrypointOptions.defaults(), (job, ctx) -> { }).build()) {
            worker.pause("mail");
            worker.start();
            Await.until("mail paused in code", Duration.ofSeconds(20), () -> paused("mail", prometheus) == 1.0);
            assertEquals(0.0, paused("report", prometheus));

            dsl.transaction(cfg -> admin.pause(DSL.using(cfg), "report", "metrics test"));
            Await.until("report paused for every Java worker", Duration.ofSeconds(20),
                    () -> paused("report", prometheus) == 1.0);
            worker.resume("mail");
            dsl.transaction(cfg -> admin.resume(DSL.using(cfg), "report", "metrics test"));
            Await.until("both resumed", Duration.ofSeconds(20),
                    () -> paused("mail", prometheus) == 0.0 && paused("report", prometheus) == 0.0);
            assertEquals(Set.of(), worker.pausedEntrypoints());
        }
    }

    private static double paused(String entrypoint, PrometheusMeterRegistry prometheus) {
        Double v = WorkerMetricsTest.samples(prometheus.scrape()).get("pgqj_entrypoint_paused{entrypoint=\"" + entrypoint + "\"}");
        return v == null ? -1 : v;
    }
}
