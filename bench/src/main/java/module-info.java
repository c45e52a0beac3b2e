/** The benchmark. Runs from its shaded jar on the classpath; this descriptor sets the compile-time wall. */
module org.pgqj.bench {
    requires org.pgqj.queue;
    requires org.pgqj.codegen;
    requires org.pgqj.metrics;
    requires org.pgqj.tracing;
    requires java.management;
    // per-thread CPU time for the JVM side of the figures
    requires jdk.management;
    requires io.opentelemetry.sdk;
    requires io.opentelemetry.sdk.trace;
    requires io.opentelemetry.sdk.common;
    // no module name of its own: named after its jar's file (this module is not published)
    requires embedded.postgres;
}
