package org.pgqj.tracing;

import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;

/** The README's tracing snippet (compiled here, copied into the README by examples/fill-readme-snippets.py). */
final class TracingSnippets {

    private TracingSnippets() {
    }

    static Worker traced(DataSource dataSource, DSLContext dsl) {
        // tag::tracing[]
        OpenTelemetryTracing tracing = OpenTelemetryTracing.global();  // the SDK your application installs
        JobQueue queue = JobQueue.create(QueueTables.defaults())
                .withInterceptor(tracing);           // "send <entrypoint>" span, context in headers["otel"]
        queue.enqueue(dsl, NewJob.of("send_email", null));
        Worker worker = Worker.builder(dataSource, QueueTables.defaults())
                .options(WorkerOptions.builder()
                        .interceptor(tracing)        // "process <entrypoint>" span, child of the sender's
                        .build())
                .entrypoint("send_email", EntrypointOptions.defaults(), (job, ctx) -> { /* ... */ })
                .build();
        // end::tracing[]
        return worker;
    }
}
