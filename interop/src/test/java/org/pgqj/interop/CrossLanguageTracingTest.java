package org.pgqj.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.tracing.OpenTelemetryTracing;
import org.pgqj.testing.TestProcess;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/**
 * One trace across languages: Python pgqueuer with its {@code OpenTelemetryTracing} enqueues and the Java
 * worker's process span continues it; Java enqueues and Python's process span continues the Java trace.
 * Python runs from the interop suite's environment (which adds the OpenTelemetry SDK to pgqueuer);
 * skipped, with one line saying so, when there is no python3.
 */
@QueueTest
class CrossLanguageTracingTest {

    private static final QueueTables TABLES = QueueTables.defaults();
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static OpenTelemetrySdk sdk;
    private static TestDatabase db;

    @BeforeAll
    static void setUp(TestDatabase database) {
        Interop.python();
        db = database;
        // W3C propagation is what Python's default propagator includes
        sdk = OpenTelemetrySdk.builder()
                .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(SPANS)).build())
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance()))
                .build();
    }

    @AfterAll
    static void tearDown() {
        if (sdk != null) {
            sdk.close();
        }
    }

    private static String python(String mode, String entrypoint) {
        Path script = Interop.script().resolveSibling("pgqueuer_otel.py");
        TestProcess.Result r = TestProcess.run("pgqueuer_otel.py " + mode,
                Interop.python().script(db.postgresUrl(), script, mode, db.postgresUrl(), entrypoint), Duration.ofSeconds(120));
        assertEquals(0, r.exitCode(), "pgqueuer_otel.py " + mode + " failed: " + r);
        return String.join("\n", r.out()).strip();
    }

    @Test
    void aPythonSendSpanIsTheParentOfTheJavaProcessSpan() throws Exception {
        SPANS.reset();
        JsonNode produced = JSON.readTree(python("produce", "py_to_java"));
        OpenTelemetryTracing tracing = OpenTelemetryTracing.using(sdk);
        Worker.builder(db.dataSource(), TABLES)
                .options(WorkerOptions.builder().mode(WorkerOptions.Mode.DRAIN).dequeueTimeout(Duration.ofSeconds(1))
                        .interceptor(tracing).build())
                .entrypoint("py_to_java", EntrypointOptions.defaults(), (job, ctx) -> { })
                .build().run();
        List<SpanData> process = SPANS.getFinishedSpanItems().stream()
                .filter(s -> s.getName().equals("process py_to_java")).toList();
        assertEquals(1, process.size(), SPANS.getFinishedSpanItems().toString());
        SpanData span = process.getFirst();
        assertEquals(produced.get("trace_id").asText(), span.getTraceId(), "the Python trace continues in Java");
        assertEquals(produced.get("send_span_id").asText(), span.getParentSpanId(), "parent: Python's send span");
        assertEquals(SpanKind.CONSUMER, span.getKind());
        assertEquals(produced.get("job_id").asText(), span.getAttributes().get(MESSAGE_ID));
    }

    @Test
    void aJavaSendOrCreateSpanIsTheParentOfThePythonProcessSpan() throws Exception {
        SPANS.reset();
        JobQueue queue = JobQueue.create(TABLES).withInterceptor(OpenTelemetryTracing.using(sdk));
        Span request = sdk.getTracer("test").spanBuilder("java request").startSpan();
        List<Long> ids = new ArrayList<>();
        try (Scope ignored = request.makeCurrent()) {
            ids.add(queue.enqueue(TABLES.dsl(db.dataSource()), NewJob.of("java_to_py", "{}".getBytes(StandardCharsets.UTF_8))));
            ids.addAll(queue.enqueueAll(TABLES.dsl(db.dataSource()),
                    List.of(NewJob.of("java_to_py", null), NewJob.of("java_to_py", null))));
        } finally {
            request.end();
        }
        SpanData send = SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals("send java_to_py")).findFirst().orElseThrow();
        List<SpanData> creates = SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals("create java_to_py")).toList();
        assertEquals(2, creates.size());

        JsonNode consumed = JSON.readTree(python("consume", "java_to_py"));
        assertEquals(3, consumed.size(), "Python made one process span per job: " + consumed);
        for (JsonNode p : consumed) {
            assertEquals(request.getSpanContext().getTraceId(), p.get("trace_id").asText(), "Python continues the Java trace");
            assertEquals("CONSUMER", p.get("kind").asText());
            long id = p.get("job_id").asLong();
            String expectedParent = id == ids.get(0) ? send.getSpanId()
                    : creates.get(ids.indexOf(id) - 1).getSpanId();
            assertEquals(expectedParent, p.get("parent_span_id").asText(), "job " + id);
        }
        assertTrue(consumed.findValuesAsText("job_id").containsAll(ids.stream().map(String::valueOf).toList()));
    }
}
