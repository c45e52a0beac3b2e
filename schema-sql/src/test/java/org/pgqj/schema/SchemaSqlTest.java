package org.pgqj.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** The printed SQL does what migrate/uninstall/alterDurability do; the upgrade plan lists what is pending. */
@ExtendWith(PostgresExtension.class)
class SchemaSqlTest {

    @Test
    void theScriptListIsFlywaysList(TestDatabase db) {
        List<String> resolved = new ArrayList<>();
        for (var info : PgqueuerSchema.forDataSource(db.dataSource()).schema("listing").flyway().info().all()) {
            resolved.add(info.getScript());
        }
        assertEquals(SchemaSql.SCRIPTS, resolved);
    }

    @Test
    void theInstallTextCreatesTheMigratedCatalogAndRunsTwice(TestDatabase db) throws SQLException {
        PgqueuerNames names = new PgqueuerNames("acme_", "jobs");
        String sql = SchemaSql.of(names, Durability.DURABLE).install();
        assertTrue(sql.startsWith("-- pgqj sql install: pgqueuer schema in schema 'jobs', prefix 'acme_', durable"), sql);
        assertTrue(!sql.contains("${"), "every placeholder filled in");
        execute(db, sql);
        execute(db, SchemaSql.of(names, Durability.DURABLE).upgrade()); // idempotent
        assertEquals(Catalog.with20Index(Catalog.fixture("catalog-pgqueuer-1.6.0-prefix-acme_-schema-jobs.json"),
                "acme_", "jobs"), Catalog.of(db.dataSource(), "jobs"));

        // a later migrate adopts what the text made (no history table) and leaves the catalog as it is
        PgqueuerSchema schema = PgqueuerSchema.forDataSource(db.dataSource()).names(names);
        assertEquals(SchemaSql.SCRIPTS, schema.pendingMigrations());
        assertTrue(schema.migrate().adoptedExistingInstall());
        assertEquals(List.of(), schema.pendingMigrations());

        execute(db, SchemaSql.of(names, Durability.DURABLE).uninstall());
        assertTrue(schema.verify().isAbsent(), schema.verify().describe());
    }

    @Test
    void durabilityAndAutovacTextsMatchWhatTheApiApplies(TestDatabase db) throws SQLException {
        PgqueuerSchema schema = PgqueuerSchema.forDataSource(db.dataSource()).schema("tune");
        schema.migrate();
        execute(db, SchemaSql.of(schema.names(), Durability.VOLATILE).durability());
        assertEquals("uuuu", persistence(db));
        schema.durability(Durability.BALANCED).alterDurability();
        assertEquals("pupu", persistence(db), "queue, schedules logged; log, statistics unlogged (by name order)");

        schema.optimizeAutovacuum(false);
        assertTrue(reloptions(db, "pgqueuer").contains("fillfactor=70"), reloptions(db, "pgqueuer"));
        assertTrue(reloptions(db, "pgqueuer_log").contains("autovacuum_vacuum_threshold=1000000"));
        schema.optimizeAutovacuum(true);
        assertEquals("", reloptions(db, "pgqueuer"));
        assertEquals("", reloptions(db, "pgqueuer_statistics"));
        execute(db, SchemaSql.of(schema.names(), Durability.DURABLE).autovac(false));
        assertTrue(reloptions(db, "pgqueuer_schedules").contains("autovacuum_vacuum_cost_delay=0"));
    }

    @Test
    void pendingMigrationsNamesWhatAnUpgradeWouldRun(TestDatabase db) {
        PgqueuerSchema schema = PgqueuerSchema.forDataSource(db.dataSource()).schema("plan");
        assertEquals(SchemaSql.SCRIPTS, schema.pendingMigrations());
        Flyway.configure(PgqueuerSchema.class.getClassLoader()).configuration(schema.flyway().getConfiguration())
                .target("1").load().migrate();
        assertEquals(List.of("V2__pgqueuer_2_0_statistics_created.sql"), schema.pendingMigrations());
        assertTrue(schema.verify().missing().contains("index plan.pgqueuer_statistics_created"), "nothing applied");
        schema.migrate();
        assertEquals(List.of(), schema.pendingMigrations());
    }

    private static void execute(TestDatabase db, String sql) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    private static String persistence(TestDatabase db) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT string_agg(relpersistence::text, '' ORDER BY relname) FROM pg_class c "
                        + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'tune' AND relkind = 'r' "
                        + "AND relname <> 'pgqueuer_schema_history'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static String reloptions(TestDatabase db, String table) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT coalesce(array_to_string(reloptions, ','), '') FROM pg_class c JOIN pg_namespace n "
                        + "ON n.oid = c.relnamespace WHERE n.nspname = 'tune' AND relname = '" + table + "'")) {
            rs.next();
            return rs.getString(1);
        }
    }
}
