package org.pgqj.cli;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.autoconfigure.AutoConfiguredOpenTelemetrySdk;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.pgqj.core.QueueTables;
import org.pgqj.metrics.MetricsServer;
import org.pgqj.metrics.PgqueuerGauges;
import org.pgqj.metrics.WorkerMetrics;
import org.pgqj.tracing.OpenTelemetryTracing;
import org.pgqj.worker.WorkerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What {@code pgqj run --metrics-port} and {@code --otel} add to the worker, and their shutdown. */
final class Instrumentation implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Instrumentation.class);

    private final List<AutoCloseable> resources = new ArrayList<>();

    /**
     * Serves {@code pgqj.*} and pgqueuer's gauges on {@code metricsPort} (when not null) and turns on the
     * OpenTelemetry SDK from the OTEL_* environment (when {@code otel}); adds their hooks to {@code options}.
     */
    static Instrumentation apply(WorkerOptions.Builder options, Integer metricsPort, boolean otel,
                                 DataSource dataSource, QueueTables tables) {
        Instrumentation on = new Instrumentation();
        try {
            if (otel) {
                // the SDK reads OTEL_SERVICE_NAME, OTEL_TRACES_EXPORTER (otlp, logging), OTEL_EXPORTER_OTLP_ENDPOINT ...
                OpenTelemetrySdk sdk = AutoConfiguredOpenTelemetrySdk.builder()
                        .addPropertiesSupplier(() -> java.util.Map.of("otel.metrics.exporter", "none", "otel.logs.exporter", "none"))
                        .disableShutdownHook().setResultAsGlobal().build().getOpenTelemetrySdk(); // closed after the worker
                on.resources.add(() -> sdk.shutdown().join(10, TimeUnit.SECONDS));
                options.interceptor(OpenTelemetryTracing.global());
                LOG.info("OpenTelemetry tracing on (exporter: {})",
                        System.getenv().getOrDefault("OTEL_TRACES_EXPORTER", "otlp"));
            }
            if (metricsPort != null) {
                PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                WorkerMetrics metrics = WorkerMetrics.create(registry);
                PgqueuerGauges gauges = PgqueuerGauges.register(registry, dataSource, tables);
                options.interceptor(metrics).observer(metrics);
                on.resources.add(MetricsServer.start(metricsPort, registry, gauges::refresh));
            }
            return on;
        } catch (RuntimeException e) {
            on.close();
            throw new CliException(CliErrors.oneLine(e));
        }
    }

    /** Stops the metrics server, then flushes and shuts down the SDK (after the worker stopped). */
    @Override
    public void close() {
        for (int i = resources.size() - 1; i >= 0; i--) {
            try {
                resources.get(i).close();
            } catch (Exception e) {
                LOG.warn("Could not shut down {}: {}", resources.get(i), e.getMessage());
            }
        }
        resources.clear();
    }
}
