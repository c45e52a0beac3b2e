package org.pgqj.bench;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.metrics.WorkerMetrics;
import org.pgqj.tracing.OpenTelemetryTracing;
import org.pgqj.worker.WorkerOptions;

/**
 * What {@code --observability} turns on: the worker's meters on a Prometheus registry and spans through a
 * real SDK (W3C propagation, batch span processor) to an exporter that counts and drops them, so the price
 * measured is the instrumentation's, not a collector's.
 */
final class BenchObservability {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final WorkerMetrics metrics = WorkerMetrics.create(registry);
    private final AtomicLong exported = new AtomicLong();
    private final OpenTelemetryTracing tracing;
    private final OpenTelemetrySdk sdk;

    BenchObservability() {
        SpanExporter counting = new SpanExporter() {
            @Override
            public CompletableResultCode export(Collection<SpanData> spans) {
                exported.addAndGet(spans.size());
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode flush() {
                return CompletableResultCode.ofSuccess();
            }

            @Override
            public CompletableResultCode shutdown() {
                return CompletableResultCode.ofSuccess();
            }
        };
        this.sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(BatchSpanProcessor.builder(counting).build()).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
        this.tracing = OpenTelemetryTracing.using(sdk);
    }

    JobQueue traced(JobQueue queue) {
        return queue.withInterceptor(tracing);
    }

    void instrument(WorkerOptions.Builder builder) {
        builder.interceptor(metrics).observer(metrics).interceptor(tracing);
    }

    /** What the instrumentation saw: spans exported and jobs counted, to show it really ran. */
    Map<String, Object> report() {
        sdk.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("spans_exported", exported.get());
        m.put("jobs_counted", (long) registry.find(WorkerMetrics.JOBS_COMPLETED).counters().stream()
                .mapToDouble(c -> c.count()).sum());
        return m;
    }
}
