package org.pgqj.web;

import javax.sql.DataSource;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;
import org.pgqj.core.QueueTables;

/** The README's dashboard snippets, compiled here (ServletMountTest runs the same mount). */
final class ReadmeSnippets {

    private ReadmeSnippets() {
    }

    static void standalone(DataSource dataSource) throws InterruptedException {
        // tag::standalone[]
        Dashboard dashboard = Dashboard.builder(dataSource, QueueTables.fromEnvironment())
                .basicAuthFromEnvironment() // HTTP Basic when PGQUEUER_WEB_USER and PGQUEUER_WEB_PASSWORD are set
                .readOnly(false)
                .build();
        try (DashboardServer server = DashboardServer.start(dashboard, "127.0.0.1", 8080)) {
            server.join();
        }
        // end::standalone[]
    }

    static void mount(DataSource dataSource, QueueTables tables, Context context) {
        // tag::mount[]
        // any servlet container (here Tomcat's API): map it under a path, with async support on for the live events
        Wrapper servlet = Tomcat.addServlet(context, "pgqj", Dashboard.builder(dataSource, tables).readOnly(true).build());
        servlet.setAsyncSupported(true);
        context.addServletMappingDecoded("/pgqj/*", "pgqj");
        // end::mount[]
    }
}
