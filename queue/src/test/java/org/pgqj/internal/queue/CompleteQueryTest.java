package org.pgqj.internal.queue;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.pgqj.codegen.Tables.PGQUEUER;
import static org.pgqj.codegen.Tables.PGQUEUER_LOG;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.JSONB;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.codegen.enums.PgqueuerStatus;
import org.pgqj.core.Job;
import org.pgqj.core.PgqjException;
import org.pgqj.core.QueueTables;
import org.pgqj.internal.sql.DedicatedConnection;
import org.pgqj.schema.PgqueuerNames;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.TestJobs;

/**
 * The completion statement with every outcome in ONE batch (its single prepared shape), on the
 * default install and on a prefixed install in its own schema: deleted with their log rows, the held
 * one kept as {@code failed} without owner, tracebacks on the right rows, and a job whose row is gone
 * already (canceled by an admin) logged nothing.
 */
@ExtendWith(PostgresExtension.class)
class CompleteQueryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyOutcomeInOneBatchOnTheDefaultInstall(TestDatabase db) throws Exception {
        PgqueuerSchema.forDataSource(db.dataSource()).migrate();
        everyOutcomeInOneBatch(db, QueueTables.defaults());
    }

    @Test
    void everyOutcomeInOneBatchOnAPrefixedInstall(TestDatabase db) throws Exception {
        PgqueuerSchema.forDataSource(db.dataSource()).prefix("acme_").schema("jobs").migrate();
        everyOutcomeInOneBatch(db, QueueTables.of(new PgqueuerNames("acme_", "jobs")));
    }

    private void everyOutcomeInOneBatch(TestDatabase db, QueueTables tables) throws Exception {
        TestJobs jobs = new TestJobs(db.dataSource(), tables);
        DSLContext dsl = jobs.dsl();
        List<Long> ids = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            ids.add(jobs.enqueue("complete_me", new byte[0], i, Duration.ZERO, null));
        }
        ClaimQuery claim = new ClaimQuery(UUID.randomUUID(), tables.names());
        CompleteQuery complete = new CompleteQuery();
        try (DedicatedConnection connection = new DedicatedConnection(db.dataSource(), tables, PgqjException::new)) {
            List<Job> claimed = connection.jdbc(s -> claim.claim(s,
                    List.of(new ClaimQuery.Part("complete_me", 0, 10, Duration.ofMinutes(5))), 10));
            assertEquals(6, claimed.size());
            long gone = ids.get(5);
            dsl.deleteFrom(PGQUEUER).where(PGQUEUER.ID.eq(gone)).execute(); // an admin removed it meanwhile

            List<CompleteQuery.Outcome> outcomes = List.of(
                    new CompleteQuery.Outcome(ids.get(0), PgqueuerStatus.successful, null),
                    new CompleteQuery.Outcome(ids.get(1), PgqueuerStatus.exception, traceback("boom")),
                    new CompleteQuery.Outcome(ids.get(2), PgqueuerStatus.canceled, null),
                    new CompleteQuery.Outcome(ids.get(3), PgqueuerStatus.failed, traceback("held")),
                    new CompleteQuery.Outcome(ids.get(4), PgqueuerStatus.exception, traceback("bang")),
                    new CompleteQuery.Outcome(gone, PgqueuerStatus.successful, null));
            connection.jdbc(s -> {
                complete.write(s, outcomes);
                return null;
            });
            // the same prepared statement again, with a batch of one kind only
            long later = jobs.enqueue("complete_me", new byte[0]);
            connection.jdbc(s -> claim.claim(s, List.of(new ClaimQuery.Part("complete_me", 0, 10, Duration.ofMinutes(5))), 10));
            connection.jdbc(s -> {
                complete.write(s, List.of(new CompleteQuery.Outcome(later, PgqueuerStatus.successful, null)));
                return null;
            });
            ids.add(later);
        }

        var remaining = dsl.select(PGQUEUER.ID, PGQUEUER.STATUS, PGQUEUER.QUEUE_MANAGER_ID).from(PGQUEUER).fetch();
        assertEquals(1, remaining.size(), "only the held job stays: " + remaining);
        assertEquals(ids.get(3), remaining.getFirst().value1());
        assertEquals(PgqueuerStatus.failed, remaining.getFirst().value2());
        assertNull(remaining.getFirst().value3(), "a held job has no owner");

        Map<Long, List<String>> terminal = new LinkedHashMap<>();
        for (var r : dsl.select(PGQUEUER_LOG.JOB_ID, PGQUEUER_LOG.STATUS, PGQUEUER_LOG.TRACEBACK).from(PGQUEUER_LOG)
                .where(PGQUEUER_LOG.STATUS.notIn(PgqueuerStatus.queued, PgqueuerStatus.picked))
                .orderBy(PGQUEUER_LOG.JOB_ID).fetch()) {
            terminal.put(r.value1(), List.of(r.value2().getLiteral(), message(r.value3())));
        }
        assertEquals(Map.of(
                ids.get(0), List.of("successful", "-"),
                ids.get(1), List.of("exception", "boom"),
                ids.get(2), List.of("canceled", "-"),
                ids.get(3), List.of("failed", "held"),
                ids.get(4), List.of("exception", "bang"),
                ids.get(6), List.of("successful", "-")), terminal, "one terminal log row per job whose row existed");
    }

    private static JSONB traceback(String message) {
        return JSONB.valueOf("{\"exception_message\": \"" + message + "\"}");
    }

    private static String message(JSONB traceback) throws Exception {
        return traceback == null ? "-" : JSON.readTree(traceback.data()).get("exception_message").asText();
    }
}
