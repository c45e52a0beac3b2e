/** The {@code pgqj} command line. Runs from its shaded jar on the classpath; this descriptor sets the compile-time wall. */
module org.pgqj.cli {
    requires org.pgqj.queue;
    requires org.pgqj.metrics;
    requires org.pgqj.tracing;
    requires org.pgqj.web;
    requires io.opentelemetry.sdk;
    requires io.opentelemetry.sdk.common;
    requires io.opentelemetry.sdk.autoconfigure;
    requires org.eclipse.jetty.server;
    requires info.picocli;
    requires org.slf4j;
    // sun.misc.Signal: a second SIGINT/SIGTERM must reach the CLI, which a shutdown hook never sees
    requires jdk.unsupported;

    // picocli sets the commands' option fields by reflection
    opens org.pgqj.cli to info.picocli;
}
