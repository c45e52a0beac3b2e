package org.pgqj.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.Tables;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.testing.queue.TestQueue;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/** Spans and W3C context through real PostgreSQL rows, with a real SDK and an in-memory exporter. */
@QueueTest
class OpenTelemetryTracingTest {

    private static final QueueTables TABLES = QueueTables.defaults();
    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static OpenTelemetrySdk sdk;
    private final TestQueue testQueue;
    private final DSLContext dsl;

    OpenTelemetryTracingTest(TestQueue queue) {
        this.testQueue = queue;
        this.dsl = queue.dsl();
    }

    @BeforeAll
    static void setUp() {
        sdk = TestSdk.exportingTo(SPANS);
    }

    @AfterAll
    static void tearDown() {
        sdk.close();
    }

    @BeforeEach
    void clean() {
        SPANS.reset();
    }

    private static SpanData one(String name) {
        List<SpanData> found = SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
        assertEquals(1, found.size(), name + " in " + SPANS.getFinishedSpanItems());
        return found.getFirst();
    }

    private Worker drainWorker(OpenTelemetryTracing tracing, String entrypoint, org.pgqj.worker.JobHandler handler) {
        return Worker.builder(testQueue.dataSource(), TABLES)
                .options(WorkerOptions.builder().mode(WorkerOptions.Mode.DRAIN).dequeueTimeout(Duration.ofSeconds(1))
                        .interceptor(tracing).build())
                .entrypoint(entrypoint, EntrypointOptions.defaults(), handler)
                .build();
    }

    @Test
    void oneJobSendThenProcessChildOfTheEnqueuersSpan() throws Exception {
        OpenTelemetryTracing tracing = OpenTelemetryTracing.using(sdk);
        JobQueue queue = JobQueue.create(TABLES).withInterceptor(tracing);
        Span request = sdk.getTracer("test").spanBuilder("request").startSpan();
        long id;
        try (Scope ignored = request.makeCurrent()) {
            id = queue.enqueue(dsl, NewJob.builder("traced").header("tenant", "acme").payload(new byte[] {1, 2, 3}).build());
        } finally {
            request.end();
        }
        String headers = dsl.select(Tables.PGQUEUER.HEADERS).from(Tables.PGQUEUER).fetchOne().value1().data();
        Map<?, ?> stored = new com.fasterxml.jackson.databind.ObjectMapper().readValue(headers, Map.class);
        assertEquals(java.util.Set.of("tenant", "otel"), stored.keySet(), headers);
        assertEquals("acme", stored.get("tenant"));
        String traceparent = (String) ((Map<?, ?>) stored.get("otel")).get("traceparent");
        assertTrue(traceparent.matches("00-[0-9a-f]{32}-[0-9a-f]{16}-0[13]"), traceparent);

        drainWorker(tracing, "traced", (job, ctx) -> sdk.getTracer("test").spanBuilder("handler work").startSpan().end()).run();

        SpanData send = one("send traced");
        SpanData process = one("process traced");
        SpanData work = one("handler work");
        assertEquals(SpanKind.PRODUCER, send.getKind());
        assertEquals(request.getSpanContext().getSpanId(), send.getParentSpanId());
        assertEquals("pgqueuer", send.getAttributes().get(OpenTelemetryTracing.SYSTEM));
        assertEquals("traced", send.getAttributes().get(OpenTelemetryTracing.DESTINATION));
        assertEquals("send", send.getAttributes().get(OpenTelemetryTracing.OPERATION_NAME));
        assertEquals("send", send.getAttributes().get(OpenTelemetryTracing.OPERATION_TYPE));
        assertTrue(headers.contains(send.getSpanId()), "the send span's context is the one injected");

        assertEquals(SpanKind.CONSUMER, process.getKind());
        assertEquals(send.getTraceId(), process.getTraceId());
        assertEquals(send.getSpanId(), process.getParentSpanId());
        assertEquals(Long.toString(id), process.getAttributes().get(OpenTelemetryTracing.MESSAGE_ID));
        assertEquals(3L, process.getAttributes().get(OpenTelemetryTracing.BODY_SIZE));
        assertEquals("process", process.getAttributes().get(OpenTelemetryTracing.OPERATION_TYPE));
        assertEquals(StatusCode.OK, process.getStatus().getStatusCode());
        assertEquals(process.getSpanId(), work.getParentSpanId(), "the handler runs inside the process span");
    }

    @Test
    void aBatchHasOneClientSendAndACreatePerJobEachTheParentOfItsProcessSpan() throws Exception {
        OpenTelemetryTracing tracing = OpenTelemetryTracing.using(sdk);
        List<Long> ids = JobQueue.create(TABLES).withInterceptor(tracing)
                .enqueueAll(dsl, List.of(NewJob.of("batched", null), NewJob.of("batched", null), NewJob.of("batched", null)));
        drainWorker(tracing, "batched", (job, ctx) -> { }).run();

        SpanData send = one("send");
        assertEquals(SpanKind.CLIENT, send.getKind());
        assertEquals(3L, send.getAttributes().get(OpenTelemetryTracing.BATCH_COUNT));
        List<SpanData> creates = SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals("create batched")).toList();
        List<SpanData> processes = SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals("process batched")).toList();
        assertEquals(3, creates.size());
        assertEquals(3, processes.size(), "one process span per job");
        for (SpanData create : creates) {
            assertEquals(SpanKind.PRODUCER, create.getKind());
            assertEquals(send.getSpanId(), create.getParentSpanId());
            assertEquals("create", create.getAttributes().get(OpenTelemetryTracing.OPERATION_NAME));
        }
        for (int i = 0; i < ids.size(); i++) {
            String messageId = Long.toString(ids.get(i));
            SpanData process = processes.stream()
                    .filter(p -> messageId.equals(p.getAttributes().get(OpenTelemetryTracing.MESSAGE_ID))).findFirst().orElseThrow();
            // jobs keep input order, so the i-th create span is the i-th job's parent
            assertEquals(creates.get(i).getSpanId(), process.getParentSpanId(), "job " + messageId);
            assertEquals(send.getTraceId(), process.getTraceId());
        }
    }

    @Test
    void aJobWithoutAContextRunsUntracedAndAFailureIsAnError() throws Exception {
        OpenTelemetryTracing tracing = OpenTelemetryTracing.using(sdk);
        JobQueue.create(TABLES).enqueue(dsl, NewJob.of("plain", null));
        drainWorker(tracing, "plain", (job, ctx) -> { }).run();
        assertEquals(List.of(), SPANS.getFinishedSpanItems(), "pgqueuer makes no process span without headers[\"otel\"]");

        JobQueue.create(TABLES).withInterceptor(tracing).enqueue(dsl, NewJob.of("failing", null));
        drainWorker(tracing, "failing", (job, ctx) -> {
            throw new IllegalArgumentException("bad input");
        }).run();
        SpanData process = one("process failing");
        assertEquals(StatusCode.ERROR, process.getStatus().getStatusCode());
        assertEquals("bad input", process.getStatus().getDescription());
        assertEquals(IllegalArgumentException.class.getName(), process.getAttributes().get(OpenTelemetryTracing.ERROR_TYPE));
        assertEquals("exception", process.getAttributes().get(OpenTelemetryTracing.OUTCOME));
        assertEquals(1, process.getEvents().size(), "the exception is recorded");
    }

    @Test
    void theGlobalVariantUsesWhateverIsInstalledAtCallTime() {
        OpenTelemetryTracing tracing = OpenTelemetryTracing.global();
        GlobalOpenTelemetry.resetForTest();
        NewJob noop = tracing.beforeEnqueue(List.of(NewJob.of("g", null))).getFirst();
        assertEquals(Map.of("otel", Map.of()), noop.headers(), "no SDK: an empty carrier, as pgqueuer's noop propagator");
        GlobalOpenTelemetry.resetForTest(); // get() above fixed the no-op as the global
        GlobalOpenTelemetry.set(sdk);
        try {
            NewJob traced = tracing.beforeEnqueue(List.of(NewJob.of("g", null))).getFirst();
            assertTrue(((Map<?, ?>) traced.headers().get("otel")).containsKey("traceparent"), traced.headers().toString());
        } finally {
            GlobalOpenTelemetry.resetForTest();
        }
    }
}
