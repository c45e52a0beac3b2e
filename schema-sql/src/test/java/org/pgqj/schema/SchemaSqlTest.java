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
    void theControlsScriptListIsFlywaysList(TestDatabase db) {
        List<String> resolved = new ArrayList<>();
        for (var info : ControlsSchema.forDataSource(db.dataSource()).names(new PgqueuerNames("", "ctl_listing"))
                .flyway().info().all()) {
            resolved.add(info.getScript());
        }
        assertEquals(SchemaSql.CONTROLS_SCRIPTS, resolved);
    }

    @Test
    void theControlsTextCreatesWhatControlsSchemaInstallsAndIsAdoptedLater(TestDatabase db) throws SQLException {
        PgqueuerNames names = new PgqueuerNames("acme_", "ctl");
        SchemaSql text = SchemaSql.of(names, Durability.DURABLE);
        String sql = text.controls();
        assertTrue(sql.startsWith("-- pgqj sql controls: pgqj's control tables (pause, resume) in schema 'ctl', "
                + "prefix 'acme_'"), sql);
        assertTrue(!sql.contains("${"), "every placeholder filled in: " + sql);
        execute(db, text.install());
        execute(db, sql);
        execute(db, sql); // idempotent
        ControlsSchema controls = ControlsSchema.forDataSource(db.dataSource()).names(names);
        assertTrue(controls.isInstalled());
        String printed = pausedTable(db, "ctl");
        assertTrue(printed.contains("entrypoint text NOT NULL"), printed);

        // the same catalog as ControlsSchema.install() makes in a fresh schema, and a later install adopts it
        PgqueuerNames fresh = new PgqueuerNames("acme_", "ctl_api");
        PgqueuerSchema.forDataSource(db.dataSource()).names(fresh).migrate();
        ControlsSchema.forDataSource(db.dataSource()).names(fresh).install();
        assertEquals(printed, pausedTable(db, "ctl_api"));
        assertEquals(1, controls.install().migrationsApplied(), "the idempotent migration re-runs once under Flyway");
        assertTrue(controls.isInstalled());
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

    /** The paused-entrypoints table's columns, constraints and comment (pgqueuer's catalog query leaves it out). */
    private static String pausedTable(TestDatabase db, String schema) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod)"
                        + " || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END"
                        + " || coalesce(' DEFAULT ' || pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)"
                        + "  FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum"
                        + "  WHERE a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped)"
                        + " || ' | ' || (SELECT string_agg(pg_get_constraintdef(k.oid), ', ') FROM pg_constraint k"
                        + "  WHERE k.conrelid = t.oid)"
                        + " || ' | ' || obj_description(t.oid, 'pg_class')"
                        + " FROM pg_class t WHERE t.oid = '" + schema + ".acme_pgqj_paused_entrypoints'::regclass")) {
            rs.next();
            return rs.getString(1);
        }
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
