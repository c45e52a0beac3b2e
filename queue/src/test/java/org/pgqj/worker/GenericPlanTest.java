package org.pgqj.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;

/**
 * The worker's claim and complete statements keep generic plans for the life of a connection. When
 * those plans are made on an empty queue (a worker started before the first enqueue) they must still
 * reach rows through indexes once the queue is large: a plan that scans the whole table per claim
 * made a claim of 10 cost 43 ms at 300,000 rows. Checked with PostgreSQL's own counter of sequential
 * scans on the queue table (PostgreSQL 15+ flushes it on demand).
 */
@ExtendWith(PostgresExtension.class)
class GenericPlanTest {

    @Test
    void statementsPlannedOnAnEmptyQueueDoNotScanTheGrownTable(TestDatabase db) throws Exception {
        PgqueuerSchema.forDataSource(db.dataSource()).migrate();
        TestJobs jobs = TestJobs.emptied(db.dataSource());
        List<ClaimQuery.Part> parts = List.of(new ClaimQuery.Part("grows", 0, 100, Duration.ofMinutes(5)));
        ClaimQuery claim = new ClaimQuery(UUID.randomUUID(), "pgqueuer");
        CompleteQuery complete = new CompleteQuery();
        try (DedicatedConnection connection = new DedicatedConnection(db.dataSource(), QueueTables.defaults())) {
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

    /** pg_stat_user_tables.seq_scan of the queue table, after the worker connection flushed its counters. */
    private static long sequentialScans(TestDatabase db, DedicatedConnection worker) throws Exception {
        worker.jdbc(s -> {
            try (Statement st = s.connection().createStatement()) {
                st.execute("SELECT pg_stat_force_next_flush()");
                st.execute("SELECT 1"); // the flush happens when this session goes idle again
            }
            return null;
        });
        Thread.sleep(50); // the flush runs as that session goes idle, just after the statement returned
        try (Connection c = db.connect(); Statement st = c.createStatement()) {
            st.execute("SELECT pg_stat_clear_snapshot()");
            try (ResultSet rs = st.executeQuery("SELECT seq_scan FROM pg_stat_user_tables WHERE relname = 'pgqueuer'")) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
