package org.pgqj.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.jooq.DSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.Await;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/** Table health on a prefixed install: the statistics collector's counts, the NOTIFY queue, the retention hint. */
@ExtendWith(PostgresExtension.class)
class TableHealthTest {

    private static final QueueTables ACME = QueueTables.of(new PgqueuerNames("acme_", "ops"));
    private static final QueueInspection INSPECT = QueueInspection.create(ACME);

    @Test
    void tableHealthCountsRowsAndTellsALogWithoutRetention(TestDatabase db) throws Exception {
        PgqueuerSchema.forDataSource(db.dataSource()).names(ACME.names()).migrate();
        DSLContext dsl = ACME.dsl(db.dataSource());
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            // no autoanalyze in between: it would re-estimate the counts this test checks
            st.execute("ALTER TABLE ops.acme_pgqueuer_log SET (autovacuum_enabled = false)");
            st.execute("INSERT INTO ops.acme_pgqueuer_log (created, job_id, status, entrypoint, priority) "
                    + "SELECT now() - interval '30 days', n, 'successful', 'old', 0 FROM generate_series(1, 100) n");
            st.execute("DELETE FROM ops.acme_pgqueuer_log WHERE job_id <= 40");
            st.execute("ANALYZE ops.acme_pgqueuer_schedules");
        }
        // each backend reports its counts within a second or so of its transaction's end
        Await.until("the statistics collector counted the log", Duration.ofSeconds(20),
                () -> INSPECT.tableHealth(dsl).tables().stream().anyMatch(t -> t.table().tableName()
                        .equals("acme_pgqueuer_log") && t.liveRows() == 60 && t.deadRows() == 40));
        TableHealth health = INSPECT.tableHealth(dsl);
        assertEquals(List.of("acme_pgqueuer", "acme_pgqueuer_log", "acme_pgqueuer_schedules", "acme_pgqueuer_statistics"),
                health.tables().stream().map(t -> t.table().tableName()).toList());
        assertEquals(0.4, health.tables().get(1).deadShare(), 1e-9);
        assertTrue(health.tables().get(2).lastAnalyzed().isPresent(), "the schedules table was analyzed");
        assertTrue(health.notificationQueueUsage() >= 0 && health.notificationQueueUsage() < 1);
        assertTrue(health.oldestLogEntry().isPresent());
        assertFalse(health.retentionScheduled());
        assertTrue(health.logGrowsWithoutRetention(), "30 days old and nothing prunes it");
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO ops.acme_pgqueuer_schedules (expression, entrypoint, next_run) "
                    + "VALUES ('17 * * * *', 'pgqj_retention', now())");
        }
        health = INSPECT.tableHealth(dsl);
        assertTrue(health.retentionScheduled());
        assertFalse(health.logGrowsWithoutRetention());
    }
}
