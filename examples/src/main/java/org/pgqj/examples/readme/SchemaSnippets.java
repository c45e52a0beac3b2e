package org.pgqj.examples.readme;

import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.pgqj.schema.Durability;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.schema.SchemaVerification;

final class SchemaSnippets {

    private SchemaSnippets() {
    }

    static void install(DataSource dataSource) {
        // tag::install[]
        // 1. your application's own tables, as always
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();

        // 2. the queue schema: its own location (db/pgqueuer) and history table (pgqueuer_schema_history)
        PgqueuerSchema.forDataSource(dataSource).migrate();
        // end::install[]
    }

    static void options(DataSource dataSource) {
        // tag::options[]
        PgqueuerSchema.forDataSource(dataSource)
                .prefix("acme_").schema("jobs")        // PGQUEUER_PREFIX / PGQUEUER_SCHEMA
                .durability(Durability.BALANCED)       // pgq install --durability balanced
                .migrate();

        SchemaVerification check = PgqueuerSchema.forDataSource(dataSource).verify();
        if (!check.isComplete()) {
            throw new IllegalStateException(check.describe()); // lists exactly what is missing
        }
        // end::options[]
    }
}
