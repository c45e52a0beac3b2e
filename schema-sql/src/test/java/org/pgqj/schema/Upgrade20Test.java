package org.pgqj.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** An install at the 1.6.0 catalog (migration 1 only) converges to 2.0's statistics index, rows kept. */
@ExtendWith(PostgresExtension.class)
class Upgrade20Test {

    @Test
    void aVersion1InstallGainsTheStatisticsIndexAndKeepsItsRows(TestDatabase db) throws SQLException {
        PgqueuerSchema schema = PgqueuerSchema.forDataSource(db.dataSource()).schema("jobs").prefix("acme_");
        Flyway onlyV1 = Flyway.configure(PgqueuerSchema.class.getClassLoader())
                .configuration(schema.flyway().getConfiguration()).target("1").load();
        assertEquals(1, onlyV1.migrate().migrationsExecuted);
        SchemaVerification before = schema.verify();
        assertEquals(List.of("index jobs.acme_pgqueuer_statistics_created"), before.missing(), before.describe());
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO jobs.acme_pgqueuer_statistics (count, priority, status, entrypoint) "
                    + "VALUES (3, 0, 'successful', 'x'), (1, 2, 'exception', 'y')");
            st.execute("INSERT INTO jobs.acme_pgqueuer (priority, status, entrypoint) VALUES (1, 'queued', 'z')");
        }

        MigrationResult result = schema.migrate();
        assertEquals(1, result.migrationsApplied());
        assertEquals("2", result.schemaVersion());
        assertFalse(result.adoptedExistingInstall());
        assertTrue(schema.verify().isComplete(), schema.verify().describe());
        assertEquals(Catalog.with20Index(Catalog.fixture("catalog-pgqueuer-1.6.0-prefix-acme_-schema-jobs.json"),
                        "acme_", "jobs"),
                Catalog.of(db.dataSource(), "jobs"));
        assertEquals(2, AdoptPythonInstallTest.count(db.dataSource(), "jobs.acme_pgqueuer_statistics"));
        assertEquals(1, AdoptPythonInstallTest.count(db.dataSource(), "jobs.acme_pgqueuer"));
        assertEquals(0, schema.migrate().migrationsApplied(), "a second migrate is a no-op");
    }

    @Test
    void anInstallThatAlreadyHasTheIndexKeepsIt(TestDatabase db) throws SQLException {
        // e.g. a Python 2.x `pgq upgrade` created it before Java migrated: IF NOT EXISTS leaves it alone
        PgqueuerSchema schema = PgqueuerSchema.forDataSource(db.dataSource()).schema("py20");
        Flyway onlyV1 = Flyway.configure(PgqueuerSchema.class.getClassLoader())
                .configuration(schema.flyway().getConfiguration()).target("1").load();
        onlyV1.migrate();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE INDEX pgqueuer_statistics_created ON py20.pgqueuer_statistics (created)");
        }
        assertEquals(1, schema.migrate().migrationsApplied());
        assertTrue(schema.verify().isComplete(), schema.verify().describe());
    }

    @Test
    void theIndexNameCarriesThePrefix() {
        assertEquals("acme_pgqueuer_statistics_created", new PgqueuerNames("acme_", "jobs").statisticsCreatedIndex());
        assertEquals("pgqueuer_statistics_created", PgqueuerNames.defaults().statisticsCreatedIndex());
    }
}
