package org.pgqj.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/**
 * pgqj's control tables: a Flyway location and history table of their own, in the queue's schema and prefix, that
 * leave pgqueuer's catalog and its history exactly as they were.
 */
@ExtendWith(PostgresExtension.class)
class ControlsSchemaTest {

    @Test
    void installAddsOneTableAndItsOwnHistoryBesidePgqueuersCatalog(TestDatabase db) throws SQLException {
        PgqueuerSchema queue = PgqueuerSchema.forDataSource(db.dataSource()).schema("jobs").prefix("acme_");
        queue.migrate();
        List<String> before = FreshInstallTest.tables(db.dataSource(), "jobs");
        List<String> history = historyRows(db, "jobs.acme_pgqueuer_schema_history");
        ControlsSchema controls = ControlsSchema.forDataSource(db.dataSource()).names(queue.names());
        assertFalse(controls.isInstalled());

        MigrationResult first = controls.install();
        assertEquals(1, first.migrationsApplied());
        assertEquals(0, controls.install().migrationsApplied(), "idempotent");
        assertTrue(controls.isInstalled());

        List<String> after = new ArrayList<>(before);
        after.add("acme_pgqj_controls_history");
        after.add("acme_pgqj_paused_entrypoints");
        after.sort(null);
        assertEquals(after, FreshInstallTest.tables(db.dataSource(), "jobs"));
        assertEquals(history, historyRows(db, "jobs.acme_pgqueuer_schema_history"), "pgqueuer's history untouched");
        assertTrue(queue.verify().isComplete(), queue.verify().describe());
        assertTrue(queue.pendingMigrations().isEmpty(), "pgqueuer's migrations see nothing new");

        controls.uninstall();
        assertFalse(controls.isInstalled());
        assertEquals(before, FreshInstallTest.tables(db.dataSource(), "jobs"));
    }

    @Test
    void theNamesFollowThePrefix() {
        PgqueuerNames names = new PgqueuerNames("acme_", "jobs");
        assertEquals("acme_pgqj_paused_entrypoints", names.pausedEntrypointsTable());
        assertEquals("acme_pgqj_controls_history", names.controlsHistoryTable());
        assertEquals("acme_pgqj_controls", names.controlsChannel());
    }

    private static List<String> historyRows(TestDatabase db, String table) throws SQLException {
        try (Connection c = db.connect(); Statement st = c.createStatement();
             var rs = st.executeQuery("SELECT version || ':' || script || ':' || checksum FROM " + table
                     + " ORDER BY installed_rank")) {
            List<String> out = new ArrayList<>();
            while (rs.next()) {
                out.add(rs.getString(1));
            }
            return out;
        }
    }
}
