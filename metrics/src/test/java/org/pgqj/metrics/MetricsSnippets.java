package org.pgqj.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import javax.sql.DataSource;
import org.pgqj.core.QueueTables;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/** The README's metrics snippet (compiled here, copied into the README by examples/fill-readme-snippets.py). */
final class MetricsSnippets {

    private MetricsSnippets() {
    }

    static MetricsServer serve(DataSource dataSource, MeterRegistry appRegistry) {
        // tag::metrics[]
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        WorkerMetrics metrics = WorkerMetrics.create(registry);       // pgqj.* meters of this worker
        Worker worker = Worker.builder(dataSource, QueueTables.defaults())
                .options(WorkerOptions.builder()
                        .interceptor(metrics)                           // jobs, durations, queue wait, running
                        .observer(metrics)                              // claims, flushes, LISTEN connection
                        .build())
                .entrypoint("send_email", EntrypointOptions.defaults(), (job, ctx) -> { /* ... */ })
                .build();
        PgqueuerGauges gauges = PgqueuerGauges.register(registry, dataSource, QueueTables.defaults());
        MetricsServer server = MetricsServer.start(9464, registry, gauges::refresh); // GET /metrics
        worker.start();
        // end::metrics[]
        return server;
    }
}
