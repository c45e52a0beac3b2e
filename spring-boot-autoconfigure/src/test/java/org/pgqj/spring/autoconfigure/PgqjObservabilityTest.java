package org.pgqj.spring.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jooq.DSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.Job;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.metrics.WorkerMetrics;
import org.pgqj.spring.PgqjHandler;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.tracing.OpenTelemetryTracing;
import org.pgqj.worker.JobContext;
import org.pgqj.worker.JobHandler;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The starter wires pgqj-metrics and pgqj-tracing when they are on the classpath: the worker's meters and
 * pgqueuer's gauges land on Actuator's registry (and its Prometheus scrape), and a job enqueued inside a
 * request span is processed in a {@code process} span of the same trace. On real PostgreSQL.
 */
@ExtendWith(PostgresExtension.class)
@SpringBootTest(classes = PgqjObservabilityTest.App.class, properties = {
        "pgqj.worker.statistics-interval=0s",
        "pgqj.metrics.refresh-interval=200ms"})
@DirtiesContext
class PgqjObservabilityTest {

    static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static TestDatabase db;

    @BeforeAll
    static void database(TestDatabase database) {
        db = database;
    }

    @DynamicPropertySource
    static void datasource(DynamicPropertyRegistry registry) {
        TestDatabases.register(registry, () -> db);
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    static class App {
        final List<Long> observed = new CopyOnWriteArrayList<>();

        /** The app's OpenTelemetry, as Spring Boot's OpenTelemetry support or the app itself would define it. */
        @Bean(destroyMethod = "close")
        OpenTelemetrySdk openTelemetry() {
            return OpenTelemetrySdk.builder()
                    .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build())
                    .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                    .build();
        }

        @Bean
        @PgqjHandler("observed")
        JobHandler observedHandler() {
            return (Job job, JobContext ctx) -> observed.add(job.id());
        }
    }

    @Autowired App app;
    @Autowired JobQueue queue;
    @Autowired DSLContext dsl;
    @Autowired MeterRegistry registry;
    @Autowired PrometheusMeterRegistry prometheus;
    @Autowired OpenTelemetrySdk openTelemetry;
    @Autowired List<OpenTelemetryTracing> tracing;
    @Autowired List<WorkerMetrics> metrics;

    @Test
    void handlerMetersCountTheJobsRunAndProcessSpansContinueTheEnqueuersTrace() {
        assertThat(tracing).hasSize(1);
        assertThat(metrics).hasSize(1);
        Span request = openTelemetry.getTracer("test").spanBuilder("request").startSpan();
        try (Scope ignored = request.makeCurrent()) {
            for (int i = 0; i < 5; i++) {
                queue.enqueue(dsl, NewJob.of("observed", null));
            }
        } finally {
            request.end();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> app.observed.size() == 5);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(registry.find(WorkerMetrics.JOBS_COMPLETED)
                .tags("entrypoint", "observed", "status", "successful").counter()).isNotNull()
                .satisfies(c -> assertThat(c.count()).isEqualTo(5.0)));
        assertThat(registry.find(WorkerMetrics.JOB_DURATION).tags("entrypoint", "observed").timer().count()).isEqualTo(5);

        await().atMost(Duration.ofSeconds(10)).until(() -> processSpans().size() == 5);
        for (SpanData span : processSpans()) {
            assertThat(span.getTraceId()).as("the process span continues the request's trace")
                    .isEqualTo(request.getSpanContext().getTraceId());
        }
        assertThat(app.observed).doesNotHaveDuplicates();
    }

    @Test
    void pgqueuersGaugesAreReadFromTheDatabaseAndScrapedWithItsNames() {
        // no handler serves "parked": its jobs stay queued, which the gauge must show
        queue.enqueueAll(dsl, List.of(NewJob.of("parked", null), NewJob.of("parked", null), NewJob.of("parked", null)));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(prometheus.scrape())
                .contains("pgqueuer_queue_count{aggregation=\"sum\",entrypoint=\"parked\",status=\"queued\"} 3.0"));
        assertThat(prometheus.scrape()).contains("pgqj_jobs_completed_total", "pgqueuer_logs_count");
    }

    private static List<SpanData> processSpans() {
        return SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals("process observed")).toList();
    }
}
