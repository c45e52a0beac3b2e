package org.pgqj.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.postgresql.ds.PGSimpleDataSource;

/** verify(), uninstall(), name validation, errors, and the trigger's NOTIFY payloads. */
@ExtendWith(PostgresExtension.class)
class SchemaApiTest {

    @Test
    void verifyListsExactlyWhatIsMissing(TestDatabase db) throws SQLException {
        PgqueuerSchema schema = PgqueuerSchema.forDataSource(db.dataSource()).schema("verify_me");
        SchemaVerification before = schema.verify();
        assertTrue(before.isAbsent());
        assertFalse(before.isComplete());
        assertTrue(before.describe().contains("install it first"), before.describe());

        schema.migrate();
        assertTrue(schema.verify().isComplete(), schema.verify().describe());

        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("DROP INDEX verify_me.pgqueuer_picked_slot_idx");
            st.execute("ALTER TABLE verify_me.pgqueuer DROP COLUMN slot");
            st.execute("DROP TRIGGER tg_pgqueuer_changed ON verify_me.pgqueuer");
        }
        SchemaVerification broken = schema.verify();
        assertEquals(List.of("column verify_me.pgqueuer.slot", "index verify_me.pgqueuer_picked_slot_idx",
                "trigger tg_pgqueuer_changed on verify_me.pgqueuer"), broken.missing());
        assertTrue(broken.describe().contains("missing: column verify_me.pgqueuer.slot"), broken.describe());
    }

    @Test
    void uninstallDropsOnlyQueueObjects(TestDatabase db) throws SQLException {
        PgqueuerSchema schema = PgqueuerSchema.forDataSource(db.dataSource()).schema("gone").prefix("x_");
        schema.migrate();
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE gone.app_table (id int)");
        }
        schema.uninstall();
        assertTrue(schema.verify().isAbsent(), schema.verify().describe());
        assertEquals(List.of("app_table"), FreshInstallTest.tables(db.dataSource(), "gone"));
        // and it installs again from scratch
        assertEquals(2, schema.migrate().migrationsApplied());
        assertTrue(schema.verify().isComplete());
    }

    @Test
    void triggerSendsTableChangedEventsOnCommitButNotForUpdates(TestDatabase db) throws Exception {
        PgqueuerSchema schema = PgqueuerSchema.forDataSource(db.dataSource()).schema("notify").prefix("acme_");
        schema.migrate();
        try (Connection listener = db.connect(); Connection writer = db.connect(); Statement ls = listener.createStatement();
             Statement ws = writer.createStatement()) {
            ls.execute("LISTEN acme_ch_pgqueuer");
            writer.setAutoCommit(false);
            ws.execute("INSERT INTO notify.acme_pgqueuer (priority, status, entrypoint) VALUES (0, 'queued', 'a'), (1, 'queued', 'b')");
            assertEquals(List.of(), poll(listener, 200), "nothing before commit");
            writer.commit();
            List<PGNotification> inserted = poll(listener, 5000);
            assertEquals(1, inserted.size(), "one event per statement");
            JsonNode event = Catalog.JSON.readTree(inserted.get(0).getParameter());
            assertEquals("acme_ch_pgqueuer", inserted.get(0).getName());
            assertEquals("table_changed_event", event.get("type").asText());
            assertEquals("acme_ch_pgqueuer", event.get("channel").asText());
            assertEquals("insert", event.get("operation").asText());
            assertEquals("acme_pgqueuer", event.get("table").asText());
            OffsetDateTime.parse(event.get("sent_at").asText()); // ISO-8601 with offset

            ws.execute("UPDATE notify.acme_pgqueuer SET priority = 9");
            writer.commit();
            assertEquals(List.of(), poll(listener, 300), "UPDATE sends nothing");

            ws.execute("DELETE FROM notify.acme_pgqueuer WHERE entrypoint = 'a'");
            ws.execute("TRUNCATE notify.acme_pgqueuer");
            writer.commit();
            List<PGNotification> rest = poll(listener, 5000);
            List<String> ops = new ArrayList<>();
            for (PGNotification n : rest) {
                ops.add(Catalog.JSON.readTree(n.getParameter()).get("operation").asText());
            }
            assertEquals(List.of("delete", "truncate"), ops);
        }
    }

    @Test
    void rejectsBadNamesNamingTheValue() {
        DataSource ds = new PGSimpleDataSource();
        PgqueuerSchema schema = PgqueuerSchema.forDataSource(ds);
        for (String bad : List.of("Acme", "acme-", "a; DROP TABLE x; --", "1abc", "acme\"")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> schema.prefix(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> schema.schema(bad));
            assertTrue(e.getMessage().contains("'" + bad + "'"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> schema.schema(""));
        assertThrows(IllegalArgumentException.class, () -> schema.prefix("p".repeat(40)));
        assertEquals("", schema.prefix("").names().prefix());
        assertEquals(Durability.BALANCED, Durability.parse("Balanced"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durability.parse("fast"));
        assertTrue(e.getMessage().contains("'fast'") && e.getMessage().contains("durable, balanced, volatile"), e.getMessage());
    }

    @Test
    void namesFollowPgqueuersPrefixRules() {
        PgqueuerNames n = new PgqueuerNames("acme_", "jobs");
        assertEquals(Map.of("queue", "acme_pgqueuer", "log", "acme_pgqueuer_log", "stats", "acme_pgqueuer_statistics",
                        "schedules", "acme_pgqueuer_schedules", "type", "acme_pgqueuer_status", "channel", "acme_ch_pgqueuer",
                        "function", "acme_fn_pgqueuer_changed", "trigger", "acme_tg_pgqueuer_changed"),
                Map.of("queue", n.queueTable(), "log", n.logTable(), "stats", n.statisticsTable(),
                        "schedules", n.schedulesTable(), "type", n.statusType(), "channel", n.channel(),
                        "function", n.triggerFunction(), "trigger", n.trigger()));
        assertEquals("jobs.acme_pgqueuer", n.qualified(n.queueTable()));
    }

    @Test
    void unreachableDatabaseGivesAClearError() {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL("jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=2");
        ds.setUser("nobody");
        ds.setPassword("s3cret");
        PgqueuerSchemaException e = assertThrows(PgqueuerSchemaException.class,
                () -> PgqueuerSchema.forDataSource(ds).migrate());
        assertTrue(e.getMessage().contains("Could not connect"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }

    private static List<PGNotification> poll(Connection c, int millis) throws SQLException {
        PGNotification[] got = c.unwrap(PGConnection.class).getNotifications(millis);
        return got == null ? List.of() : List.of(got);
    }
}
