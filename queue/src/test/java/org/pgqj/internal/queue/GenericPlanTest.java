package org.pgqj.internal.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.testing.Await;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.MigratedQueueTest;
import org.pgqj.worker.TestJobs;

/**
 * The worker's claim and complete statements keep generic plans for the life of a connection. When
 * those plans are made on an empty queue (a worker started before the first enqueue) they must still
 * reach rows through indexes once the queue is large: a plan that scans the whole table per claim
 * made a claim of 10 cost 43 ms at 300,000 rows. Checked with PostgreSQL's own counter of sequential
 * scans on the queue table (PostgreSQL 15+ flushes it on demand).
 */
@MigratedQueueTest
class GenericPlanTest {

    @Test
    void statementsPlannedOnAnEmptyQueueDoNotScanTheGrownTable(TestDatabase db, TestJobs jobs) throws Exception {
        List<ClaimQuery.Part> parts = List.of(new ClaimQuery.Part("grows", 0, 100, Duration.ofMinutes(5)));
        ClaimQuery claim = new ClaimQuery(UUID.randomUUID(), PgqueuerNames.defaults());
        CompleteQuery complete = new CompleteQuery();
        try (DedicatedConnection connection = new DedicatedConnection(db.dataSource(), QueueTables.defaults(), PgqjException::new)) {
            // plans made now, on the empty table
            assertEquals(List.of(), connection.jdbc(s -> claim.claim(s, parts, 100, new Long[0])));
            connection.jdbc(s -> {
                complete.write(s, List.of(new CompleteQuery.Outcome(-1, PgqueuerStatus.successful, null)));
                return null;
            });

            jobs.enqueueMany("grows", 30_000);
            long before = sequentialScans(db, connection);
            for (int i = 0; i < 5; i++) {
                List<Job> claimed = connection.jdbc(s -> claim.claim(s, parts, 100, new Long[0]));
                assertEquals(100, claimed.size());
                connection.jdbc(s -> {
                    complete.write(s, claimed.stream()
                            .map(j -> new CompleteQuery.Outcome(j.id(), PgqueuerStatus.successful, null)).toList());
                    return null;
                });
            }
            assertEquals(before, sequentialScans(db, connection),
                    "claims and completes planned on an empty queue must not scan the whole queue table");
        }
    }

    /**
     * pg_stat_user_tables.seq_scan of the queue table, once the worker connection flushed its counters:
     * the worker session also scans an index-less marker table, and the counters of one session are
     * flushed together, so the marker's count going up means the queue table's is current too.
     */
    private static long sequentialScans(TestDatabase db, DedicatedConnection worker) throws Exception {
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS pgqj_flush_marker (x int)");
            long markerBefore = seqScans(st, "pgqj_flush_marker");
            worker.jdbc(s -> {
                try (Statement w = s.connection().createStatement()) {
                    w.execute("SELECT * FROM pgqj_flush_marker"); // no index: a sequential scan
                    w.execute("SELECT pg_stat_force_next_flush()");
                    w.execute("SELECT 1"); // the flush happens when this session goes idle again
                }
                return null;
            });
            // the flush runs as that session goes idle, just after the statement returned
            Await.until("the worker session's statistics flushed", Duration.ofSeconds(10), () -> {
                try {
                    return seqScans(st, "pgqj_flush_marker") > markerBefore;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            return seqScans(st, "pgqueuer");
        }
    }

    private static long seqScans(Statement st, String table) throws SQLException {
        st.execute("SELECT pg_stat_clear_snapshot()");
        try (ResultSet rs = st.executeQuery("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = '" + table + "'")) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
