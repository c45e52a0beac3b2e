package org.pgqj.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.QueueTables;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * Bulk requeue and cancel of held jobs by filter, on a prefixed install in its own schema: held rows written as
 * pgqueuer's completion writes them (status failed, a 'failed' log row with the traceback document), then the
 * filters, the batches, two operators at once, and a job held after the action started.
 */
@ExtendWith(PostgresExtension.class)
class HeldBulkActionsTest {

    private static final QueueTables ACME = QueueTables.of(new PgqueuerNames("acme_", "ops"));
    private static final QueueAdmin ADMIN = QueueAdmin.create(ACME);
    private static final QueueInspection INSPECT = QueueInspection.create(ACME);

    private DataSource ds;

    @BeforeAll
    static void migrate(TestDatabase db) {
        PgqueuerSchema.forDataSource(db.dataSource()).names(ACME.names()).migrate();
    }

    @BeforeEach
    void clean(TestDatabase db) throws Exception {
        ds = db.dataSource();
        sql("TRUNCATE ops.acme_pgqueuer, ops.acme_pgqueuer_log RESTART IDENTITY");
    }

    @Test
    void filtersPickTheJobsByEntrypointExceptionTypeAndHoldTime() throws Exception {
        List<Long> mailTimeout = hold("mail", "TimeoutError", 3, "2 hours");
        List<Long> mailValue = hold("mail", "ValueError", 2, "10 minutes");
        List<Long> smsTimeout = hold("sms", "TimeoutError", 2, "10 minutes");
        List<Long> noTraceback = hold("sms", null, 1, "10 minutes");
        List<Long> queued = insert("mail", "queued", 2, "1 minute");

        assertEquals(Map.of(mailTimeout.get(0), "TimeoutError", mailValue.get(0), "ValueError"),
                types(INSPECT.lastFailures(ACME.dsl(ds), List.of(mailTimeout.get(0), mailValue.get(0), queued.get(0)))));
        BulkResult r = ADMIN.requeueHeld(ds, HeldJobFilter.all().withExceptionType("TimeoutError").withEntrypoint("mail"));
        assertEquals(3, r.jobs());
        assertEquals(Set.copyOf(mailTimeout), ids("status = 'queued' AND attempts = 0").stream()
                .filter(id -> !queued.contains(id)).collect(java.util.stream.Collectors.toSet()));
        // held within the last hour: everything held but the requeued ones was held 10 minutes ago
        Instant hourAgo = now().minusSeconds(3600);
        r = ADMIN.cancelHeld(ds, HeldJobFilter.all().withHeldAfter(hourAgo).withExceptionType(""));
        assertEquals(1, r.jobs());
        assertEquals(List.of(), ids("id = " + noTraceback.get(0)));
        assertEquals(1, count("SELECT count(*) FROM ops.acme_pgqueuer_log WHERE status = 'canceled' AND job_id = "
                + noTraceback.get(0)));
        r = ADMIN.requeueHeld(ds, HeldJobFilter.all().withHeldBefore(hourAgo));
        assertEquals(0, r.jobs(), "nothing left that was held more than an hour ago");
        r = ADMIN.requeueHeld(ds, HeldJobFilter.all());
        assertEquals(4, r.jobs());
        List<Long> expected = new ArrayList<>(mailValue);
        expected.addAll(smsTimeout);
        assertEquals(List.of(), ids("status = 'failed'"));
        assertTrue(ids("status = 'queued'").containsAll(expected));
        assertThrows(IllegalArgumentException.class, () -> HeldJobFilter.all().withHeldAfter(hourAgo).withHeldBefore(hourAgo));
    }

    @Test
    void batchesCommitOneByOneAndEachSendsItsCancellationEvent(TestDatabase db) throws Exception {
        List<Long> held = hold("bulk", "TimeoutError", QueueAdmin.BULK_BATCH * 2 + 7, "1 minute");
        try (Connection listen = db.connect(); Statement st = listen.createStatement()) {
            st.execute("LISTEN acme_ch_pgqueuer");
            BulkResult r = ADMIN.cancelHeld(ds, HeldJobFilter.all().withEntrypoint("bulk"));
            assertEquals(held.size(), r.jobs());
            assertEquals(3, r.batches());
            Set<Long> announced = new HashSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (announced.size() < held.size() && System.nanoTime() < deadline) {
                st.execute("SELECT 1"); // reads pending notifications
                PGNotification[] got = listen.unwrap(PGConnection.class).getNotifications(500);
                for (PGNotification n : got == null ? new PGNotification[0] : got) {
                    var ids = new com.fasterxml.jackson.databind.ObjectMapper().readTree(n.getParameter()).path("ids");
                    ids.forEach(id -> announced.add(id.asLong()));
                }
            }
            assertEquals(Set.copyOf(held), announced, "every canceled id was announced to the workers");
        }
        assertEquals(held.size(), count("SELECT count(*) FROM ops.acme_pgqueuer_log WHERE status = 'canceled'"));
    }

    @Test
    void twoOperatorsAtOnceSplitTheJobsAndNoneIsTouchedTwice() throws Exception {
        List<Long> held = hold("race", "TimeoutError", 3000, "1 minute");
        CountDownLatch go = new CountDownLatch(1);
        CompletableFuture<BulkResult> a = CompletableFuture.supplyAsync(() -> {
            await(go);
            return ADMIN.requeueHeld(ds, HeldJobFilter.all().withEntrypoint("race"));
        });
        CompletableFuture<BulkResult> b = CompletableFuture.supplyAsync(() -> {
            await(go);
            return ADMIN.requeueHeld(ds, HeldJobFilter.all().withExceptionType("TimeoutError"));
        });
        go.countDown();
        long total = a.get(60, TimeUnit.SECONDS).jobs() + b.get(60, TimeUnit.SECONDS).jobs();
        assertEquals(held.size(), total, "each held job requeued by exactly one of the two");
        assertEquals(held.size(), count("SELECT count(*) FROM ops.acme_pgqueuer WHERE status = 'queued'"));
        assertEquals(0, count("SELECT count(*) FROM (SELECT job_id FROM ops.acme_pgqueuer_log WHERE status = 'queued' "
                + "GROUP BY job_id HAVING count(*) <> 2) twice"), "one requeue log row per job, beside its enqueue row");
    }

    @Test
    void onlyJobsHeldWhenTheActionStartsAreTouched() throws Exception {
        List<Long> held = hold("later", "TimeoutError", 3, "1 minute");
        // held "after the start": a job a worker holds again while the batches run has updated > the start
        sql("UPDATE ops.acme_pgqueuer SET updated = now() + interval '1 hour' WHERE id = " + held.get(1));
        assertEquals(2, ADMIN.requeueHeld(ds, HeldJobFilter.all()).jobs());
        assertEquals(List.of(held.get(1)), ids("status = 'failed'"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Map<Long, String> types(Map<Long, JobFailure> failures) {
        Map<Long, String> out = new java.util.HashMap<>();
        failures.forEach((id, f) -> out.put(id, f.exceptionType()));
        return out;
    }

    /** {@code n} jobs held {@code ago}, each with a 'failed' log row carrying pgqueuer's traceback (or none). */
    private List<Long> hold(String entrypoint, String exceptionType, int n, String ago) throws Exception {
        List<Long> ids = insert(entrypoint, "failed", n, ago);
        String traceback = exceptionType == null ? "NULL" : "jsonb_build_object('job_id', id, 'exception_type', '"
                + exceptionType + "', 'exception_message', 'failed', 'traceback', 'Traceback...', 'additional_context', '{}'::jsonb)";
        sql("INSERT INTO ops.acme_pgqueuer_log (created, job_id, status, entrypoint, priority, traceback) "
                + "SELECT updated, id, 'failed', entrypoint, priority, " + traceback + " FROM ops.acme_pgqueuer "
                + "WHERE id BETWEEN " + ids.get(0) + " AND " + ids.get(ids.size() - 1));
        return ids;
    }

    private List<Long> insert(String entrypoint, String status, int n, String ago) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Connection c = ds.getConnection(); PreparedStatement st = c.prepareStatement(
                "WITH j AS (INSERT INTO ops.acme_pgqueuer (priority, entrypoint, status, updated, payload, headers) "
                        + "SELECT 0, ?, ?::ops.acme_pgqueuer_status, now() - ?::interval, NULL, 'null' "
                        + "FROM generate_series(1, ?) RETURNING id, entrypoint, priority) "
                        + "INSERT INTO ops.acme_pgqueuer_log (job_id, status, entrypoint, priority) "
                        + "SELECT id, 'queued', entrypoint, priority FROM j RETURNING job_id")) {
            st.setString(1, entrypoint);
            st.setString(2, status);
            st.setString(3, ago);
            st.setInt(4, n);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        }
        ids.sort(null);
        return ids;
    }

    private List<Long> ids(String where) throws Exception {
        List<Long> ids = new ArrayList<>();
        try (Connection c = ds.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT id FROM ops.acme_pgqueuer WHERE " + where + " ORDER BY id")) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    private long count(String query) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private Instant now() throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT now()")) {
            rs.next();
            return rs.getTimestamp(1).toInstant();
        }
    }

    private void sql(String statement) throws Exception {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }
}
