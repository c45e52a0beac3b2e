package org.pgqj.examples.blog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.pgqj.admin.CompletionResult;
import org.pgqj.admin.QueueAdmin;
import org.pgqj.core.JobStatus;
import org.pgqj.core.QueueTables;
import org.pgqj.enqueue.JobQueue;
import org.pgqj.schema.PgqueuerSchema;
import org.pgqj.testing.PostgresExtension;
import org.pgqj.testing.TestDatabase;
import org.pgqj.worker.WorkerFactory;
import org.pgqj.worker.WorkerOptions;
import org.pgqj.worker.Worker;

/** Enqueue -> worker -> outcome on a real PostgreSQL, with the test extension. */
// tag::e2e[]
@ExtendWith(PostgresExtension.class)   // a database of its own for this class; see "Build and test"
class EndToEndTest {

    @Test
    void welcomeMailsAreSent(TestDatabase db) throws Exception {
        PgqueuerSchema.forDataSource(db.dataSource()).migrate();
        QueueTables tables = QueueTables.defaults();
        DSLContext dsl = DSL.using(db.dataSource(), SQLDialect.POSTGRES);
        List<Long> ids = JobQueue.create(tables).enqueueRecords(dsl, List.of(
                new SendWelcome("ada@example.com", java.time.Instant.now())));

        var context = new WorkerFactory.Context(db.dataSource(), tables,
                WorkerOptions.builder().mode(WorkerOptions.Mode.DRAIN).build());
        try (Worker worker = Pods.slow(context)) {
            worker.start();
            CompletionResult done = QueueAdmin.create(tables).waitForCompletion(db.dataSource(), ids, Duration.ofSeconds(30));
            assertTrue(done.isComplete());
            assertEquals(JobStatus.SUCCESSFUL, done.finished().get(ids.get(0)));
        }
    }
}
// end::e2e[]
