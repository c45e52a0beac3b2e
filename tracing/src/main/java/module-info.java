/** OpenTelemetry spans around enqueue and each job, with the W3C context in the job's headers. */
module org.pgqj.tracing {
    requires transitive org.pgqj.queue;
    requires transitive io.opentelemetry.api;
    requires io.opentelemetry.context;

    exports org.pgqj.tracing;
}
