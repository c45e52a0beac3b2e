package org.pgqj.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/**
 * Migrating where Python's `pgq install` already ran: no history table, rows and app tables present.
 * The migrate must succeed, keep every row, and converge to the 1.6.0 catalog (column order aside).
 */
@ExtendWith(PostgresExtension.class)
class AdoptPythonInstallTest {

    @Nested
    class From132 {
        @Test
        void convergesAndKeepsRows(TestDatabase db) throws SQLException {
            adoptAndCheck(db.dataSource(), "pgqueuer-1.3.2.sql");
        }
    }

    @Nested
    class From160 {
        @Test
        void convergesAndKeepsRows(TestDatabase db) throws SQLException {
            adoptAndCheck(db.dataSource(), "pgqueuer-1.6.0.sql");
        }
    }

    private static void adoptAndCheck(DataSource ds, String install) throws SQLException {
        Catalog.loadInstall(ds, install);
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE app_orders (id int PRIMARY KEY, note text)");
            st.execute("INSERT INTO app_orders VALUES (1, 'keep me')");
            st.execute("INSERT INTO pgqueuer (priority, status, entrypoint, payload, headers) "
                    + "VALUES (5, 'queued', 'send_email', convert_to('{\"to\": 1}', 'UTF8'), 'null'), "
                    + "(0, 'failed', 'held', NULL, NULL)");
            st.execute("INSERT INTO pgqueuer_log (job_id, status, priority, entrypoint) VALUES (1, 'queued', 5, 'send_email')");
            st.execute("INSERT INTO pgqueuer_statistics (count, priority, status, entrypoint) VALUES (3, 0, 'successful', 'x')");
            st.execute("INSERT INTO pgqueuer_schedules (expression, entrypoint) VALUES ('* * * * *', 'tick')");
        }

        MigrationResult result = PgqueuerSchema.forDataSource(ds).migrate();
        assertTrue(result.adoptedExistingInstall());
        assertEquals("2", result.schemaVersion());

        assertEquals(Catalog.columnsByName(Catalog.with20Index(Catalog.fixture("catalog-pgqueuer-1.6.0.json"), "", "public")),
                Catalog.columnsByName(Catalog.of(ds, "public")));
        assertEquals(2, count(ds, "pgqueuer"));
        assertEquals(1, count(ds, "pgqueuer_log"));
        assertEquals(1, count(ds, "pgqueuer_statistics"));
        assertEquals(1, count(ds, "pgqueuer_schedules"));
        assertEquals(1, count(ds, "app_orders"));
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT convert_from(payload, 'UTF8'), headers::text, slot FROM pgqueuer WHERE entrypoint = 'send_email'");
            assertTrue(rs.next());
            assertEquals("{\"to\": 1}", rs.getString(1));
            assertEquals("null", rs.getString(2));
            assertEquals(null, rs.getObject(3));
        }

        assertEquals(0, PgqueuerSchema.forDataSource(ds).migrate().migrationsApplied());
        assertTrue(PgqueuerSchema.forDataSource(ds).verify().isComplete());
        assertFalse(PgqueuerSchema.forDataSource(ds).migrate().adoptedExistingInstall());
    }

    static long count(DataSource ds, String table) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table);
            rs.next();
            return rs.getLong(1);
        }
    }
}
