/**
 * The pgqueuer schema: its Flyway migrations and the API to install, verify, upgrade and uninstall it.
 */
module org.pgqj.schema {
    requires transitive java.sql;
    // Flyway's jar declares no module name, so its name comes from the jar's file name (flyway-core-<version>.jar):
    // the module path then needs Flyway under that name; the classpath, where Flyway users run, ignores this file
    requires transitive flyway.core;
    requires org.slf4j;

    exports org.pgqj.schema;
    exports org.pgqj.compat;
    // the queue checks the versions of jOOQ and Jackson it runs with by the same rules as the schema module
    exports org.pgqj.internal.compat to org.pgqj.queue;
    // Flyway reads the migrations from outside this module
    opens db.pgqueuer;
    // pgqj's own control tables, a Flyway location of their own
    opens db.pgqj_controls;
}
