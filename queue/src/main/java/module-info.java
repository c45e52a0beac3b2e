/**
 * The pgqueuer-compatible queue: enqueue, workers, schedules, administration. Its API is the packages below
 * {@code org.pgqj} but {@code internal}; an {@code internal} package is exported only to the modules of this
 * project that need it, so the compiler keeps everyone else out.
 */
module org.pgqj.queue {
    requires transitive java.sql;
    requires transitive org.jooq;
    requires transitive org.pgqj.schema;
    requires transitive com.fasterxml.jackson.databind;
    requires org.pgqj.codegen;
    requires com.fasterxml.jackson.datatype.jdk8;
    requires com.fasterxml.jackson.datatype.jsr310;
    requires org.postgresql.jdbc;
    // pgjdbc's data sources are javax.naming.Referenceable
    requires java.naming;
    requires com.cronutils;
    requires org.slf4j;

    exports org.pgqj.admin;
    exports org.pgqj.connect;
    exports org.pgqj.core;
    exports org.pgqj.enqueue;
    exports org.pgqj.notify;
    exports org.pgqj.payload;
    exports org.pgqj.schedule;
    exports org.pgqj.worker;

    // the CLI's `listen` command reads notifications as every listener of the library does
    exports org.pgqj.internal.listen to org.pgqj.cli;
    // the benchmark's baseline runs the worker's own statements on the worker's own kind of connection
    exports org.pgqj.internal.queue to org.pgqj.bench;
    exports org.pgqj.internal.sql to org.pgqj.bench;
}
