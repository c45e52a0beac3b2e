package org.pgqj.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.tracing.OpenTelemetryTracing;

/** pgqj metrics, pgqj run --metrics-port and pgqj run --otel, each run as a process of the packaged jar. */
@ExtendWith(PostgresExtension.class)
class ObservabilityCliIT {

    private static final String TEST_CLASSES = Path.of("target", "test-classes").toAbsolutePath().toString();

    @Test
    void metricsPrintsPgqueuersGaugesOnce(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "gauges");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        assertEquals(0, CliProcess.run(db, env, "queue", "echo", "a").exitCode());
        assertEquals(0, CliProcess.run(db, env, "queue", "echo", "b").exitCode());
        var r = CliProcess.run(db, env, "metrics");
        assertEquals(0, r.exitCode(), r.toString());
        assertTrue(r.out().contains("pgqueuer_queue_count{aggregation=\"sum\",entrypoint=\"echo\",status=\"queued\"} 2"), r.out());
        assertTrue(r.out().contains("pgqueuer_logs_count{aggregation=\"sum\",entrypoint=\"echo\",status=\"queued\"} 2"), r.out());
        var bad = CliProcess.run(db, env, "metrics", "--last", "0");
        assertEquals(1, bad.exitCode(), bad.toString());
        assertTrue(bad.err().contains("--last must be a positive number of seconds"), bad.toString());
    }

    @Test
    void runServesPrometheusMetricsWhileItWorks(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "served");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Process worker = CliProcess.builder(db, env, TEST_CLASSES, "run", "org.pgqj.cli.TestFactories::echo",
                "--metrics-port", Integer.toString(port)).start();
        var out = CliProcess.drain(worker.getInputStream());
        var err = CliProcess.drain(worker.getErrorStream());
        try {
            for (int i = 0; i < 3; i++) {
                assertEquals(0, CliProcess.run(db, env, "queue", "echo", "job " + i).exitCode());
            }
            String done = "pgqj_jobs_completed_total{entrypoint=\"echo\",status=\"successful\"} 3.0";
            String body = "";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!body.contains(done) && System.nanoTime() < deadline) {
                Thread.sleep(100);
                try {
                    body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                } catch (java.io.IOException notYet) {
                    // the server starts with the worker
                }
            }
            assertTrue(body.contains(done), body + "\n" + err.text());
            assertTrue(body.contains("pgqj_listener_connected 1.0"), body);
            assertTrue(body.contains("pgqj_job_duration_seconds_bucket{entrypoint=\"echo\",status=\"successful\""), body);
            assertTrue(body.contains("pgqueuer_logs_count{aggregation=\"sum\",entrypoint=\"echo\",status=\"queued\"} 3.0"), body);
        } finally {
            new ProcessBuilder("kill", "-TERM", Long.toString(worker.pid())).start().waitFor();
            assertTrue(worker.waitFor(30, TimeUnit.SECONDS));
            out.join();
            err.join();
        }
    }

    @Test
    void runWithOtelExportsAProcessSpanInTheEnqueuersTrace(TestDatabase db) throws Exception {
        Map<String, String> env = Map.of("PGQUEUER_SCHEMA", "traced", "OTEL_TRACES_EXPORTER", "logging",
                "OTEL_SERVICE_NAME", "pgqj-it");
        assertEquals(0, CliProcess.run(db, env, "install").exitCode());
        String traceId;
        // a tracer provider with no span processor makes no-op spans: give it one
        try (OpenTelemetrySdk sdk = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                        .addSpanProcessor(SimpleSpanProcessor.create(LoggingSpanExporter.create())).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).build()) {
            QueueTables tables = QueueTables.of(new PgqueuerNames("", "traced"));
            JobQueue queue = JobQueue.create(tables).withInterceptor(OpenTelemetryTracing.using(sdk));
            var span = sdk.getTracer("it").spanBuilder("it request").startSpan();
            try (var scope = span.makeCurrent()) {
                queue.enqueue(tables.dsl(db.dataSource()), NewJob.of("echo", null));
            } finally {
                span.end();
            }
            traceId = span.getSpanContext().getTraceId();
        }
        String before = rows(db, "SELECT status || ' ' || headers FROM traced.pgqueuer");
        var run = CliProcess.finish(CliProcess.builder(db, env, TEST_CLASSES,
                "run", "org.pgqj.cli.TestFactories::echo", "--mode", "drain", "--otel").start(), 60);
        assertEquals(0, run.exitCode(), run.toString());
        assertTrue(run.err().contains("'process echo' : " + traceId), "trace " + traceId + ", queue before: " + before
                + ", log after: " + rows(db, "SELECT status::text FROM traced.pgqueuer_log ORDER BY id") + "\n" + run);
    }

    private static String rows(TestDatabase db, String sql) throws Exception {
        StringBuilder out = new StringBuilder();
        try (var c = db.connect(); var st = c.createStatement(); var rs = st.executeQuery(sql)) {
            while (rs.next()) {
                out.append(rs.getString(1)).append("; ");
            }
        }
        return out.toString();
    }
}
