package org.pgqj.tracing;

import io.opentelemetry.api.GlobalOpenTelemetry;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.pgqj.core.Job;
import org.pgqj.enqueue.EnqueueInterceptor;
import org.pgqj.enqueue.NewJob;
import org.pgqj.worker.JobContext;
import org.pgqj.worker.JobInterceptor;
import org.pgqj.worker.JobOutcome;

/**
 * OpenTelemetry spans for the queue, interoperable with pgqueuer's {@code OpenTelemetryTracing}: a trace
 * that starts in Python continues through the Java handler of the job it enqueued, and back.
 *
 * <ul>
 *   <li><b>Enqueue</b> ({@link EnqueueInterceptor}): one job gets a PRODUCER span {@code send <entrypoint>};
 *       a batch gets a CLIENT span {@code send} (with {@code messaging.batch.message_count}) and one PRODUCER
 *       span {@code create <entrypoint>} per job. The context of the job's span is injected with the
 *       propagator (W3C {@code traceparent}/{@code tracestate}, baggage) into a map stored as
 *       {@code headers["otel"]}. As in pgqueuer, the spans end before the INSERT runs.</li>
 *   <li><b>Process</b> ({@link JobInterceptor}): a job with a non-empty {@code headers["otel"]} runs inside a
 *       CONSUMER span {@code process <entrypoint>} whose parent is the extracted context; a job without one
 *       runs untraced, as in pgqueuer. The span is current while the handler runs, so the handler's own
 *       spans are its children.</li>
 * </ul>
 *
 * <p>Attributes as pgqueuer sets them: {@code messaging.system=pgqueuer}, {@code messaging.destination.name},
 * {@code messaging.operation.name} / {@code .type} (send, create, process), and on process
 * {@code messaging.message.id} (the job id) and {@code messaging.message.body.size}. The process span's status
 * is OK for a successful job and for a snoozed one ({@code pgqj.job.outcome=snoozed}, with
 * {@code pgqj.job.snooze.delay} in seconds), and ERROR (with {@code error.type} and the exception recorded) for one
 * that failed, was retried or canceled; pgqueuer's worker handles handler failures inside its span, so its process
 * spans end OK for those.
 *
 * <pre>{@code
 * OpenTelemetryTracing tracing = OpenTelemetryTracing.global();
 * JobQueue queue = JobQueue.create(tables).withInterceptor(tracing);
 * Worker.builder(dataSource, tables).options(WorkerOptions.builder().interceptor(tracing).build()) ...
 * }</pre>
 */
public final class OpenTelemetryTracing implements EnqueueInterceptor, JobInterceptor {

    /** The instrumentation scope name, as pgqueuer's default. */
    public static final String INSTRUMENTATION_NAME = "pgqueuer";
    /** The header the carrier is stored under (pgqueuer's {@code Job.otel_headers()}). */
    public static final String HEADER = "otel";

    static final AttributeKey<String> SYSTEM = AttributeKey.stringKey("messaging.system");
    static final AttributeKey<String> DESTINATION = AttributeKey.stringKey("messaging.destination.name");
    static final AttributeKey<String> OPERATION_NAME = AttributeKey.stringKey("messaging.operation.name");
    static final AttributeKey<String> OPERATION_TYPE = AttributeKey.stringKey("messaging.operation.type");
    static final AttributeKey<Long> BATCH_COUNT = AttributeKey.longKey("messaging.batch.message_count");
    static final AttributeKey<String> MESSAGE_ID = AttributeKey.stringKey("messaging.message.id");
    static final AttributeKey<Long> BODY_SIZE = AttributeKey.longKey("messaging.message.body.size");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("pgqj.job.outcome");
    static final AttributeKey<Double> SNOOZE_DELAY = AttributeKey.doubleKey("pgqj.job.snooze.delay");

    private static final TextMapGetter<Map<?, ?>> HEADERS_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<?, ?> carrier) {
            return carrier.keySet().stream().map(String::valueOf).toList();
        }

        @Override
        public String get(Map<?, ?> carrier, String key) {
            Object v = carrier == null ? null : carrier.get(key);
            return v == null ? null : v.toString();
        }
    };

    private final Supplier<OpenTelemetry> openTelemetry;

    private OpenTelemetryTracing(Supplier<OpenTelemetry> openTelemetry) {
        this.openTelemetry = openTelemetry;
    }

    /** Tracing on the global OpenTelemetry, looked up at each call (so an SDK installed later is used). */
    public static OpenTelemetryTracing global() {
        return new OpenTelemetryTracing(GlobalOpenTelemetry::get);
    }

    /** Tracing on this OpenTelemetry (its tracer provider and propagators). */
    public static OpenTelemetryTracing using(OpenTelemetry openTelemetry) {
        Objects.requireNonNull(openTelemetry, "openTelemetry");
        return new OpenTelemetryTracing(() -> openTelemetry);
    }

    @Override
    public List<NewJob> beforeEnqueue(List<NewJob> jobs) {
        OpenTelemetry otel = openTelemetry.get();
        Tracer tracer = otel.getTracer(INSTRUMENTATION_NAME);
        TextMapPropagator propagator = otel.getPropagators().getTextMapPropagator();
        if (jobs.size() == 1) {
            NewJob job = jobs.getFirst();
            Span send = messagingSpan(tracer, "send " + job.entrypoint(), SpanKind.PRODUCER, Context.current(), "send")
                    .setAttribute(DESTINATION, job.entrypoint()).startSpan();
            try {
                return List.of(withCarrier(job, propagator, Context.current().with(send)));
            } finally {
                send.end();
            }
        }
        Span batch = messagingSpan(tracer, "send", SpanKind.CLIENT, Context.current(), "send")
                .setAttribute(BATCH_COUNT, (long) jobs.size()).startSpan();
        try {
            Context batchContext = Context.current().with(batch);
            List<NewJob> out = new ArrayList<>(jobs.size());
            for (NewJob job : jobs) {
                Span create = messagingSpan(tracer, "create " + job.entrypoint(), SpanKind.PRODUCER, batchContext, "create")
                        .setAttribute(DESTINATION, job.entrypoint()).startSpan();
                try {
                    out.add(withCarrier(job, propagator, batchContext.with(create)));
                } finally {
                    create.end();
                }
            }
            return out;
        } finally {
            batch.end();
        }
    }

    @Override
    public JobOutcome intercept(Job job, JobContext context, Chain next) {
        if (!(job.headers().get(HEADER) instanceof Map<?, ?> carrier) || carrier.isEmpty()) {
            return next.proceed(); // pgqueuer traces only jobs that carry a context
        }
        OpenTelemetry otel = openTelemetry.get();
        Context parent = otel.getPropagators().getTextMapPropagator().extract(Context.current(), carrier, HEADERS_GETTER);
        Span span = messagingSpan(otel.getTracer(INSTRUMENTATION_NAME), "process " + job.entrypoint(), SpanKind.CONSUMER,
                parent, "process")
                .setAttribute(DESTINATION, job.entrypoint())
                .setAttribute(MESSAGE_ID, Long.toString(job.id()))
                .setAttribute(BODY_SIZE, (long) job.payload().length)
                .startSpan();
        try (Scope ignored = parent.with(span).makeCurrent()) {
            JobOutcome outcome = next.proceed();
            span.setAttribute(OUTCOME, outcome.status().label());
            if (outcome.status() == JobOutcome.Status.SUCCESSFUL) {
                span.setStatus(StatusCode.OK);
            } else if (outcome.status() == JobOutcome.Status.SNOOZED) { // the handler's choice, not a failure
                span.setStatus(StatusCode.OK);
                span.setAttribute(SNOOZE_DELAY, outcome.retryDelay().orElseThrow().toNanos() / 1e9);
            } else {
                Throwable error = outcome.error().orElse(null);
                span.setStatus(StatusCode.ERROR, error == null ? outcome.status().label() : String.valueOf(error.getMessage()));
                span.setAttribute(ERROR_TYPE, error == null ? outcome.status().label() : error.getClass().getName());
                if (error != null) {
                    span.recordException(error);
                }
            }
            return outcome;
        } finally {
            span.end();
        }
    }

    private static io.opentelemetry.api.trace.SpanBuilder messagingSpan(Tracer tracer, String name, SpanKind kind,
                                                                         Context parent, String operation) {
        return tracer.spanBuilder(name).setSpanKind(kind).setParent(parent)
                .setAttribute(SYSTEM, "pgqueuer")
                .setAttribute(OPERATION_NAME, operation)
                .setAttribute(OPERATION_TYPE, operation);
    }

    /** The job with the context's carrier as {@code headers["otel"]} (replacing one it had, as pgqueuer merges). */
    private static NewJob withCarrier(NewJob job, TextMapPropagator propagator, Context context) {
        Map<String, String> carrier = new LinkedHashMap<>();
        propagator.inject(context, carrier, (c, k, v) -> c.put(k, v));
        return job.toBuilder().header(HEADER, carrier).build();
    }

    @Override
    public String toString() {
        return "OpenTelemetryTracing[" + INSTRUMENTATION_NAME + "]";
    }
}
