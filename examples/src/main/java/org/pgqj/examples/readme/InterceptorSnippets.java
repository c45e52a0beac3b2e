package org.pgqj.examples.readme;

import java.util.Map;
import javax.sql.DataSource;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.worker.EntrypointOptions;
import org.pgqj.worker.JobInterceptor;
import org.pgqj.worker.JobOutcome;
import org.pgqj.worker.Worker;
import org.pgqj.worker.WorkerOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

final class InterceptorSnippets {

    private static final Logger LOG = LoggerFactory.getLogger(InterceptorSnippets.class);

    private InterceptorSnippets() {
    }

    interface Tenants {
        String current();

        AutoCloseable enter(Object tenant);
    }

    static Worker worker(DataSource dataSource, Tenants tenants) {
        // tag::interceptors[]
        JobInterceptor slowJobs = (job, ctx, next) -> {
            long start = System.nanoTime();
            JobOutcome outcome = next.proceed();             // inner interceptors, then the handler
            long millis = (System.nanoTime() - start) / 1_000_000;
            if (millis > 1_000) {                            // MDC has pgqj.job_id, pgqj.entrypoint, pgqj.attempt
                LOG.warn("{} took {} ms: {}", job.entrypoint(), millis, outcome.status().label());
            }
            return outcome;                                  // successful, exception, canceled, retried, held
        };
        JobInterceptor tenantScope = (job, ctx, next) -> {
            try (AutoCloseable scope = tenants.enter(job.headers().get("tenant"))) {
                return next.proceed();
            }
        };
        JobQueue queue = JobQueue.create(QueueTables.defaults())
                .withInterceptor(jobs -> jobs.stream()      // sees each batch before it is written
                        .map(j -> j.toBuilder().header("tenant", tenants.current()).build())
                        .toList());
        Worker worker = Worker.builder(dataSource, QueueTables.defaults())
                .options(WorkerOptions.builder()
                        .interceptor(slowJobs)                       // every entrypoint, outermost first
                        .interceptor("send_invoice", tenantScope)    // this entrypoint only, inside those
                        .build())
                .entrypoint("send_invoice", EntrypointOptions.defaults(), (job, ctx) -> { /* ... */ })
                .build();
        // end::interceptors[]
        return worker;
    }

    static NewJob nested() {
        // tag::headers[]
        NewJob job = NewJob.builder("send_invoice")
                .header("tenant", "acme")
                .header("otel", Map.of("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"))
                .header("attempt_budget", 3)
                .header("tags", java.util.List.of("eu", "b2b"))
                .build();                // any JSON value; one clear error for what Jackson cannot write
        // end::headers[]
        return job;
    }
}
