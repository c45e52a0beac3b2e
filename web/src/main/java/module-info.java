/**
 * The web dashboard: a Jakarta servlet (mounted in any Servlet 6 container) and, with Jetty on the path,
 * {@code DashboardServer} to run it on its own.
 */
module org.pgqj.web {
    requires transitive org.pgqj.queue;
    requires transitive jakarta.servlet;
    requires org.pgqj.codegen;
    requires gg.jte.runtime;
    requires org.slf4j;
    // the precompiled templates carry @javax.annotation.processing.Generated (source retention)
    requires static java.compiler;
    // only DashboardServer needs Jetty; an application that mounts the servlet elsewhere has none
    requires static org.eclipse.jetty.server;
    requires static org.eclipse.jetty.ee10.servlet;

    exports org.pgqj.web;
}
