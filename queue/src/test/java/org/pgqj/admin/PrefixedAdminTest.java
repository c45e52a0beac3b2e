package org.pgqj.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.core.JobStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.enqueue.NewJob;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/** The admin queries on an install with prefix {@code acme_} in schema {@code jobs}. */
@ExtendWith(PostgresExtension.class)
class PrefixedAdminTest {

    private static final QueueTables ACME = QueueTables.of(new PgqueuerNames("acme_", "jobs"));

    @Test
    void everyAdminCallUsesThePrefixedTablesChannelAndLock(TestDatabase db) throws Exception {
        PgqueuerSchema.forDataSource(db.dataSource()).names(ACME.names()).migrate();
        DSLContext dsl = DSL.using(db.dataSource(), SQLDialect.POSTGRES);
        JobQueue queue = JobQueue.create(ACME);
        QueueAdmin admin = QueueAdmin.create(ACME);
        List<Long> ids = queue.enqueueAll(dsl, List.of(NewJob.of("a", null), NewJob.of("a", null), NewJob.of("b", null)));

        assertEquals(List.of(new QueueSize("a", 0, JobStatus.QUEUED, 2), new QueueSize("b", 0, JobStatus.QUEUED, 1)),
                admin.queueSize(dsl));
        try (Connection listener = db.connect()) {
            try (Statement st = listener.createStatement()) {
                st.execute("LISTEN acme_ch_pgqueuer"); // jOOQ has no LISTEN statement
            }
            assertEquals(List.of(ids.get(0)), admin.cancel(dsl, List.of(ids.get(0))));
            JsonNode event = awaitCancellation(listener.unwrap(PGConnection.class));
            assertEquals("acme_ch_pgqueuer", event.get("channel").asText());
        }
        assertEquals(1, admin.clear(dsl, List.of("b")));
        CompletionResult done = admin.waitForCompletion(db.dataSource(), ids.subList(0, 1), Duration.ofSeconds(5));
        assertEquals(Map.of(ids.get(0), JobStatus.CANCELED), done.finished());

        StatisticsAggregation aggregation = StatisticsAggregation.of(ACME);
        assertEquals("jobs.acme_pgqueuer_statistics", ACME.names().statisticsLockName());
        assertTrue(aggregation.aggregate(dsl) > 0);
        long queued = admin.statistics(dsl, 10, Duration.ZERO).stream()
                .filter(s -> s.status() == JobStatus.QUEUED).mapToLong(StatisticsEntry::count).sum();
        assertEquals(3, queued);
        assertEquals(Map.of(ids.get(1), JobStatus.QUEUED, ids.get(2), JobStatus.DELETED),
                admin.jobStatuses(dsl, ids.subList(1, 3)));
    }

    private static JsonNode awaitCancellation(PGConnection pg) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            PGNotification[] batch = pg.getNotifications(500);
            for (PGNotification n : batch == null ? new PGNotification[0] : batch) {
                JsonNode json = new ObjectMapper().readTree(n.getParameter());
                if ("cancellation_event".equals(json.get("type").asText())) {
                    return json;
                }
            }
        }
        throw new AssertionError("no cancellation_event within 10 s");
    }
}
