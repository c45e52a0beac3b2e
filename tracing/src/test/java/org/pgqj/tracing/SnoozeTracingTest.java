package org.pgqj.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;
import org.pgqj.testing.queue.QueueTest;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.SnoozeRequested;
import org.pgqj.worker.Worker;

/** A snoozed job's process span: not an error, outcome {@code snoozed}, the delay in seconds. */
@QueueTest
class SnoozeTracingTest {

    private static final QueueTables TABLES = QueueTables.defaults();
    private static final InMemorySpanExporter SPANS = InMemorySpanExporter.create();
    private static OpenTelemetrySdk sdk;
    private static TestDatabase db;

    @BeforeAll
    static void setUp(TestDatabase database) {
        db = database;
        sdk = TestSdk.exportingTo(SPANS);
    }

    @AfterAll
    static void tearDown() {
        sdk.close();
    }

    @Test
    void aSnoozeIsNoError() throws Exception {
        OpenTelemetryTracing tracing = OpenTelemetryTracing.using(sdk);
        JobQueue.create(TABLES).withInterceptor(tracing).enqueue(TABLES.dsl(db.dataSource()), NewJob.of("later", null));
        try (Worker worker = Worker.builder(db.dataSource(), TABLES)
                .options(org.pgqj.worker.WorkerOptions.builder().interceptor(tracing).build())
                .entrypoint("later", EntrypointOptions.defaults(), (job, ctx) -> {
                    throw new SnoozeRequested(Duration.ofMillis(90_500), "partner busy");
                }).build()) {
            worker.start();
            Await.until("the process span", Duration.ofSeconds(30), () -> SPANS.getFinishedSpanItems().stream()
                    .anyMatch(s -> s.getName().equals("process later")));
        }
        List<SpanData> process = SPANS.getFinishedSpanItems().stream().filter(s -> s.getName().equals("process later")).toList();
        assertEquals(1, process.size(), process::toString);
        SpanData span = process.getFirst();
        assertEquals(StatusCode.OK, span.getStatus().getStatusCode());
        assertEquals("snoozed", span.getAttributes().get(OpenTelemetryTracing.OUTCOME));
        assertEquals(90.5, span.getAttributes().get(OpenTelemetryTracing.SNOOZE_DELAY));
        assertEquals(null, span.getAttributes().get(OpenTelemetryTracing.ERROR_TYPE));
        assertEquals(List.of(), span.getEvents(), "no exception recorded");
    }
}
