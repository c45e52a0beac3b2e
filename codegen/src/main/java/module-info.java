/**
 * The jOOQ classes of the pgqueuer schema, generated from its migrations. Not API: the queue module and the
 * modules that read the tables directly (dashboard, Spring health) use them.
 */
module org.pgqj.codegen {
    requires transitive org.jooq;
    requires transitive java.sql;

    exports org.pgqj.codegen;
    exports org.pgqj.codegen.binding;
    exports org.pgqj.codegen.enums;
    exports org.pgqj.codegen.tables;
    exports org.pgqj.codegen.tables.records;
}
